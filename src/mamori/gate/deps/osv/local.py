"""Offline advisories: a local OSV data directory, indexed once into a SQLite cache.

The directory holds OSV's public exports, ``<dir>/<Ecosystem>/all.zip`` (one OSV JSON
per advisory in each zip, as osv-scanner's offline mode uses), and/or loose ``*.json``
OSV records at any depth. The index lives under ``$MAMORI_CACHE`` (default
``~/.cache/mamori``), one file per data directory, and is rebuilt when any data file's
size or modification time changes. It is built into a temporary file and renamed into
place, so concurrent runs never see half an index.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from mamori.gate.deps.errors import AdvisoryDataError
from mamori.gate.deps.model import Ecosystem, Package, normalize_name
from mamori.gate.deps.osv.interface import PackageKey, key_of
from mamori.gate.deps.osv.match import go_prefixes
from mamori.gate.deps.osv.record import Advisory, parse_advisory, trim
from mamori.safeload import load_json

INDEX_FORMAT = "3"  # 2: OS releases ("Debian:12") indexed under their distribution; 3: exploit references kept
_KNOWN = {e.value for e in Ecosystem}


def cache_dir() -> Path:
    for var in ("MAMORI_CACHE_DIR", "MAMORI_CACHE"):
        env = os.environ.get(var)
        if env:
            return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "mamori"


def data_files(data_dir: Path) -> list[Path]:
    if not data_dir.is_dir():
        raise AdvisoryDataError("the OSV data directory does not exist", source=str(data_dir))
    files = sorted(p for p in data_dir.rglob("*") if p.suffix in (".zip", ".json") and p.is_file())
    if not files:
        raise AdvisoryDataError(
            "no OSV data here (expected <dir>/<Ecosystem>/all.zip or *.json OSV records)",
            source=str(data_dir),
        )
    return files


def fingerprint(data_dir: Path, files: Sequence[Path]) -> str:
    h = hashlib.sha256(INDEX_FORMAT.encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.relative_to(data_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _records(files: Sequence[Path], data_dir: Path) -> Iterator[tuple[str, Any]]:
    for f in files:
        rel = f.relative_to(data_dir).as_posix()
        if f.suffix == ".json":
            yield rel, _load(f.read_bytes(), rel)
            continue
        try:
            with zipfile.ZipFile(f) as zf:
                for info in zf.infolist():
                    if info.filename.endswith(".json"):
                        where = f"{rel}!{info.filename}"
                        yield where, _load(zf.read(info), where)
        except zipfile.BadZipFile as exc:
            raise AdvisoryDataError(f"not a zip file: {exc}", source=rel) from None


def _load(raw: bytes, where: str) -> Any:
    return load_json(raw, source=where, error=AdvisoryDataError)  # bounded: size, depth, NUL, NaN


def _index_names(raw: dict[str, Any]) -> set[tuple[str, str]]:
    names: set[tuple[str, str]] = set()
    for a in raw.get("affected") or ():
        pkg = a.get("package") if isinstance(a, dict) else None
        if not isinstance(pkg, dict) or not isinstance(pkg.get("ecosystem"), str) or not pkg.get("name"):
            continue
        base = pkg["ecosystem"].split(":", 1)[0]  # "Debian:12" -> "Debian" (the release is kept in the record)
        if base not in _KNOWN:
            continue
        eco = Ecosystem(base)
        name = normalize_name(eco, str(pkg["name"]))
        names.add((eco.value, name))
        if eco is Ecosystem.GO:
            names.update((eco.value, prefix) for prefix in go_prefixes(name))
    return names


def build_index(data_dir: Path, files: Sequence[Path], dest: Path, stamp: str) -> int:
    """Index every record of ``files`` into ``dest``; the number of advisories indexed."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    count = 0
    try:
        conn.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE adv (pk INTEGER PRIMARY KEY, id TEXT NOT NULL, body BLOB NOT NULL);"
            "CREATE TABLE pkg (ecosystem TEXT NOT NULL, name TEXT NOT NULL, adv INTEGER NOT NULL);"
        )
        adv_rows: list[tuple[int, str, bytes]] = []
        pkg_rows: list[tuple[str, str, int]] = []
        for where, raw in _records(files, data_dir):
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                raise AdvisoryDataError("not an OSV record (no string 'id')", source=where)
            if raw.get("withdrawn"):
                continue
            parse_advisory(raw, source=where)  # validate now, not at audit time
            count += 1
            adv_rows.append((count, raw["id"], orjson.dumps(trim(raw))))
            pkg_rows.extend((eco, name, count) for eco, name in _index_names(raw))
            if len(adv_rows) >= 5000:
                conn.executemany("INSERT INTO adv VALUES (?, ?, ?)", adv_rows)
                conn.executemany("INSERT INTO pkg VALUES (?, ?, ?)", pkg_rows)
                adv_rows, pkg_rows = [], []
        conn.executemany("INSERT INTO adv VALUES (?, ?, ?)", adv_rows)
        conn.executemany("INSERT INTO pkg VALUES (?, ?, ?)", pkg_rows)
        conn.execute("CREATE INDEX pkg_lookup ON pkg (ecosystem, name)")
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("fingerprint", stamp),
                ("source", str(data_dir)),
                ("count", str(count)),
                ("format", INDEX_FORMAT),
            ],
        )
        conn.commit()
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, dest)
    return count


class LocalOsvSource:
    """Advisories from a local OSV data directory through the SQLite index."""

    authoritative = False

    def __init__(self, data_dir: Path, *, cache: Path | None = None, label: str | None = None,
                 index_path: Path | None = None) -> None:  # fmt: skip
        self.data_dir = data_dir.resolve()
        files = data_files(self.data_dir)
        key = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        # index_path: one fixed index for a directory whose path changes (the advisory cache's generations)
        self.index_path = index_path or (cache or cache_dir()) / f"osv-index-{key}.sqlite"
        stamp = fingerprint(self.data_dir, files)
        self.rebuilt = False
        self.count = self._current_count(stamp)
        if self.count is None:
            self.count = build_index(self.data_dir, files, self.index_path, stamp)
            self.rebuilt = True
        self.description = (
            f"{label or 'OSV offline data in ' + str(self.data_dir)} ({self.count:,} advisories)"
        )

    def _current_count(self, stamp: str) -> int | None:
        if not self.index_path.is_file():
            return None
        try:
            with sqlite3.connect(self.index_path) as conn:
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            return None
        return int(meta["count"]) if meta.get("fingerprint") == stamp else None

    def advisories_for(self, packages: Sequence[Package]) -> dict[PackageKey, list[Advisory]]:
        wanted: dict[tuple[str, str], list[PackageKey]] = {}
        for p in packages:
            if p.version is not None:
                wanted.setdefault((p.ecosystem.value, p.lookup_name), []).append(key_of(p))
        out: dict[PackageKey, list[Advisory]] = {k: [] for keys in wanted.values() for k in keys}
        if not wanted:
            return out
        parsed: dict[int, Advisory] = {}
        conn = sqlite3.connect(self.index_path.as_uri() + "?mode=ro", uri=True)
        try:
            conn.execute("CREATE TEMP TABLE q (ecosystem TEXT, name TEXT)")
            conn.executemany("INSERT INTO q VALUES (?, ?)", list(wanted))
            rows = conn.execute(
                "SELECT q.ecosystem, q.name, adv.pk, adv.body FROM q "
                "JOIN pkg ON pkg.ecosystem = q.ecosystem AND pkg.name = q.name "
                "JOIN adv ON adv.pk = pkg.adv"
            ).fetchall()
        finally:
            conn.close()
        for eco, name, pk, body in rows:
            adv = parsed.get(pk)
            if adv is None:
                adv = parsed[pk] = parse_advisory(orjson.loads(body), source=self.index_path.name)
            for k in wanted[(eco, name)]:
                out[k].append(adv)
        return out
