"""The advisory cache: OSV exports, CISA's KEV catalogue and FIRST's EPSS scores on disk.

``mamori db update`` fills it, ``mamori db status`` describes it, and ``mamori gate deps``
reads it when no other advisory source is given. Location: ``$MAMORI_CACHE_DIR``, else
``$MAMORI_CACHE``, else ``$XDG_CACHE_HOME/mamori``, else ``~/.cache/mamori``::

    <root>/advisories -> advisories.d/<generation>     (a symlink, swapped atomically)
    <root>/advisories.d/<generation>/
        osv/<Ecosystem>/all.zip                       OSV's per-ecosystem export
        known_exploited_vulnerabilities.json          CISA KEV, as published
        epss_scores-current.csv.gz                    FIRST EPSS, as published
        meta.json                                     per source: date, ETag, URL, count

An update builds a new generation next to the current one (files that did not change --
HTTP 304 on the stored ETag, or a source not asked for -- are hard-linked from it), checks
every file (zip caps, every OSV record parsed, KEV and EPSS parsed), and only then points
``advisories`` at it. A failed update leaves the cache as it was. ``--from DIR`` imports the
same files from a directory (air-gapped CI): ``DIR/<Ecosystem>/all.zip`` or
``DIR/osv/<Ecosystem>/all.zip``, ``DIR/known_exploited_vulnerabilities.json``,
``DIR/epss_scores-current.csv.gz``.

The HTTP client is injected (``httpx.MockTransport`` in tests; no test touches the network).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mamori.gate.deps.epss import load_epss, write_index
from mamori.gate.deps.errors import AdvisoryDataError, OsvServiceError
from mamori.gate.deps.kev import load_kev
from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.osv.local import cache_dir as cache_root
from mamori.gate.deps.osv.record import parse_advisory
from mamori.safeload import load_json

if TYPE_CHECKING:
    import httpx

OSV_BASE = "https://osv-vulnerabilities.storage.googleapis.com"
KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
KEV_FILE = "known_exploited_vulnerabilities.json"
EPSS_FILE = "epss_scores-current.csv.gz"
EPSS_INDEX = "epss.sqlite"  # written by update: a gate run reads its CVEs' rows, not the whole CSV
DEFAULT_MAX_AGE_DAYS = 7
FORMAT = 1

# bounds: a zip bomb or a runaway download stops with an error, the cache untouched
MAX_DOWNLOAD = 2 * 1024**3  # a compressed file
MAX_ENTRIES = 1_000_000  # members of one zip
MAX_ENTRY = 16 * 1024**2  # one OSV record, uncompressed
MAX_TOTAL = 8 * 1024**3  # one zip, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB
MAX_SMALL = 64 * 1024**2  # the KEV JSON, the EPSS gzip


def source_key(eco: str) -> str:
    return f"osv/{eco}"


@dataclass(frozen=True)
class SourceState:
    """One source of the cache: where it came from and how current it is."""

    key: str  # osv/PyPI, kev, epss
    date: str  # the data's own date when it says (KEV dateReleased, EPSS score_date), else when fetched
    fetched: str  # when mamori fetched or imported it (ISO date-time)
    etag: str | None = None
    url: str | None = None
    count: int = 0
    detail: str = ""  # KEV catalogVersion, EPSS model_version

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "date": self.date, "fetched": self.fetched, "etag": self.etag,
                "url": self.url, "count": self.count, "detail": self.detail}  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SourceState:
        return cls(str(d["key"]), str(d.get("date", "")), str(d.get("fetched", "")), d.get("etag"),
                   d.get("url"), int(d.get("count", 0)), str(d.get("detail", "")))  # fmt: skip


@dataclass(frozen=True)
class CacheState:
    root: Path
    directory: Path | None  # the current generation, None when the cache is empty
    sources: tuple[SourceState, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(s.key.startswith("osv/") for s in self.sources)

    @property
    def osv_dir(self) -> Path | None:
        return self.directory / "osv" if self.directory is not None and not self.empty else None

    @property
    def kev_path(self) -> Path | None:
        return self._file("kev", KEV_FILE)

    @property
    def epss_path(self) -> Path | None:
        """The SQLite copy when the generation has it, else the CSV."""
        csv = self._file("epss", EPSS_FILE)
        if csv is not None and (csv.parent / EPSS_INDEX).is_file():
            return csv.parent / EPSS_INDEX
        return csv

    def _file(self, key: str, name: str) -> Path | None:
        if self.directory is None or not any(s.key == key for s in self.sources):
            return None
        return self.directory / name

    def age_days(self, source: SourceState, now: datetime) -> float:
        try:
            fetched = datetime.fromisoformat(source.fetched)
        except ValueError:
            return float("inf")
        return (now - fetched).total_seconds() / 86400

    def stale(self, now: datetime, max_age_days: float) -> list[SourceState]:
        return [s for s in self.sources if self.age_days(s, now) > max_age_days]

    def as_dict(self, now: datetime, max_age_days: float) -> dict[str, Any]:
        stale = {s.key for s in self.stale(now, max_age_days)}
        return {
            "schema": "mamori.db.status/v1",
            "root": str(self.root),
            "directory": str(self.directory) if self.directory else None,
            "empty": self.empty,
            "max_age_days": max_age_days,
            "sources": [{**s.as_dict(), "age_days": round(self.age_days(s, now), 2), "stale": s.key in stale}
                        for s in self.sources],  # fmt: skip
        }


def read_state(root: Path | None = None) -> CacheState:
    root = root or cache_root()
    link = root / "advisories"
    if not link.exists():
        return CacheState(root, None)
    directory = link.resolve()
    meta = directory / "meta.json"
    try:
        doc = load_json(meta.read_bytes(), source=str(meta), error=AdvisoryDataError)
    except FileNotFoundError:
        return CacheState(root, None)
    sources = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(sources, list):
        raise AdvisoryDataError("not a mamori advisory cache (no 'sources' list)", source=str(meta))
    try:
        return CacheState(root, directory, tuple(SourceState.from_dict(s) for s in sources))
    except (KeyError, TypeError, ValueError):
        raise AdvisoryDataError("a malformed 'sources' entry", source=str(meta)) from None


# -- checking a file before it enters the cache -------------------------------------------------


def check_osv_zip(path: Path, label: str) -> int:
    """The number of OSV records in ``path``; an error naming the file and member otherwise."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise AdvisoryDataError(f"not a zip file: {exc}", source=label) from None
    count = 0
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise AdvisoryDataError(f"more than {MAX_ENTRIES:,} members (a zip bomb?)", source=label)
        for info in infos:
            where = f"{label}!{info.filename}"
            if info.is_dir():
                continue
            if info.file_size > MAX_ENTRY:
                raise AdvisoryDataError(f"a member of {info.file_size:,} bytes (limit {MAX_ENTRY:,})", source=where)
            if info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise AdvisoryDataError("compressed more than 200:1 (a zip bomb?)", source=where)
            total += info.file_size
            if total > MAX_TOTAL:
                raise AdvisoryDataError(f"more than {MAX_TOTAL // 1024**3} GiB uncompressed", source=label)
            if not info.filename.endswith(".json"):
                continue
            with zf.open(info) as fh:
                raw = fh.read(MAX_ENTRY + 1)  # the header's size may lie: read at most the cap
            if len(raw) > MAX_ENTRY:
                raise AdvisoryDataError(f"larger than {MAX_ENTRY:,} bytes", source=where)
            doc = load_json(raw, source=where, error=AdvisoryDataError)
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                raise AdvisoryDataError("not an OSV record (no string 'id')", source=where)
            parse_advisory(doc, source=where)
            count += 1
    return count


# -- fetching ------------------------------------------------------------------------------------


@dataclass
class UpdateRequest:
    now: datetime
    ecosystems: tuple[str, ...] = ()  # OSV spelling; () = every ecosystem the gate reads
    from_dir: Path | None = None
    root: Path | None = None
    transport: Any = None  # an httpx transport (tests: httpx.MockTransport)
    osv_base: str = OSV_BASE
    kev_url: str = KEV_URL
    epss_url: str = EPSS_URL
    kev: bool = True
    epss: bool = True


@dataclass
class UpdateResult:
    state: CacheState
    updated: list[str] = field(default_factory=list)  # keys fetched or imported anew
    unchanged: list[str] = field(default_factory=list)  # 304 Not Modified: kept


def ecosystems(names: Sequence[str]) -> tuple[str, ...]:
    if not names:
        return tuple(e.value for e in Ecosystem)
    try:
        return tuple(dict.fromkeys(Ecosystem.parse(n).value for n in names))
    except ValueError as exc:
        raise AdvisoryDataError(str(exc)) from None


def _download(client: httpx.Client, url: str, dest: Path, etag: str | None, cap: int) -> tuple[bool, str | None]:
    """(changed, etag): False when the server says 304 Not Modified."""
    import httpx

    headers = {"If-None-Match": etag} if etag else {}
    try:
        with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 304:
                return False, etag
            if resp.status_code != 200:
                raise OsvServiceError(f"GET {url}: HTTP {resp.status_code}")
            size = 0
            with dest.open("wb") as fh:
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise AdvisoryDataError(f"larger than {cap // 1024**2} MiB; not stored", source=url)
                    fh.write(chunk)
            return True, resp.headers.get("ETag")
    except httpx.HTTPError as exc:
        raise OsvServiceError(f"GET {url}: {exc}") from None


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _from_dir_file(base: Path, *names: str) -> Path | None:
    return next((base / n for n in names if (base / n).is_file()), None)


def update(req: UpdateRequest) -> UpdateResult:
    """Fetch (or import with ``from_dir``) into a new generation and swap it in; the old one stays on error."""
    root = req.root or cache_root()
    old = read_state(root)
    old_by_key = {s.key: s for s in old.sources}
    ecos = ecosystems(req.ecosystems)
    gens = root / "advisories.d"
    gens.mkdir(parents=True, exist_ok=True)
    stamp = req.now.strftime("%Y%m%dT%H%M%S")
    new = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=gens))  # never the current one
    fetched = req.now.isoformat(timespec="seconds")
    states: dict[str, SourceState] = {}
    result = UpdateResult(old)
    client = None
    try:
        if req.from_dir is None:
            import httpx

            from mamori import __version__

            client = httpx.Client(transport=req.transport, timeout=httpx.Timeout(60.0), follow_redirects=True,
                                  headers={"User-Agent": f"mamori/{__version__}"})  # fmt: skip
        elif not req.from_dir.is_dir():
            raise AdvisoryDataError("no such directory", source=str(req.from_dir))

        def keep(key: str, rel: str) -> None:
            assert old.directory is not None
            _link_or_copy(old.directory / rel, new / rel)
            if key == "epss" and (old.directory / EPSS_INDEX).is_file():
                _link_or_copy(old.directory / EPSS_INDEX, new / EPSS_INDEX)
            states[key] = old_by_key[key]

        # sources not asked for this time are carried over
        for key in old_by_key:
            if key.startswith("osv/") and key[4:] not in ecos and old.directory is not None:
                keep(key, f"osv/{key[4:]}/all.zip")
        for eco in ecos:
            key, rel = source_key(eco), f"osv/{eco}/all.zip"
            dest = new / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            prev = old_by_key.get(key)
            if req.from_dir is not None:
                src = _from_dir_file(req.from_dir, f"{eco}/all.zip", f"osv/{eco}/all.zip")
                if src is None:
                    if req.ecosystems:  # asked for by name: it must be there
                        raise AdvisoryDataError(f"no {eco}/all.zip here", source=str(req.from_dir))
                    if prev is not None and old.directory is not None:
                        keep(key, rel)
                    continue
                shutil.copyfile(src, dest)
                date = datetime.fromtimestamp(src.stat().st_mtime, UTC).date().isoformat()
                url, etag = str(src), None
            else:
                assert client is not None
                url = f"{req.osv_base}/{eco}/all.zip"
                changed, etag = _download(client, url, dest, prev.etag if prev else None, MAX_DOWNLOAD)
                if not changed and prev is not None and old.directory is not None:
                    dest.unlink(missing_ok=True)
                    keep(key, rel)
                    states[key] = dataclasses.replace(states[key], fetched=fetched)  # checked now: current
                    result.unchanged.append(key)
                    continue
                date = req.now.date().isoformat()
            count = check_osv_zip(dest, f"{eco}/all.zip")
            states[key] = SourceState(key, date, fetched, etag, url, count)
            result.updated.append(key)
        for key, name, url_of, enabled in (("kev", KEV_FILE, req.kev_url, req.kev),
                                           ("epss", EPSS_FILE, req.epss_url, req.epss)):  # fmt: skip
            if not enabled:
                continue
            dest = new / name
            prev = old_by_key.get(key)
            if req.from_dir is not None:
                src = _from_dir_file(req.from_dir, name)
                if src is None:
                    if prev is not None and old.directory is not None:
                        keep(key, name)
                    continue
                shutil.copyfile(src, dest)
                url, etag = str(src), None
            else:
                assert client is not None
                url = url_of
                changed, etag = _download(client, url, dest, prev.etag if prev else None, MAX_SMALL)
                if not changed and prev is not None and old.directory is not None:
                    dest.unlink(missing_ok=True)
                    keep(key, name)
                    states[key] = dataclasses.replace(states[key], fetched=fetched)  # checked now: current
                    result.unchanged.append(key)
                    continue
            if key == "epss" and (new / EPSS_INDEX).exists():
                (new / EPSS_INDEX).unlink()
            if key == "kev":
                kev = load_kev(dest)
                states[key] = SourceState(key, (kev.released or fetched)[:10], fetched, etag, url,
                                          len(kev.cves), kev.version)  # fmt: skip
            else:
                epss = load_epss(dest)
                write_index(epss, new / EPSS_INDEX)
                states[key] = SourceState(key, epss.date or fetched[:10], fetched, etag, url,
                                          len(epss.scores), epss.model_version)  # fmt: skip
            result.updated.append(key)
        meta = {"format": FORMAT, "updated": fetched,
                "sources": [states[k].as_dict() for k in sorted(states)]}  # fmt: skip
        (new / "meta.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        # the swap: a new symlink renamed over the old one (atomic on POSIX)
        tmp_link = root / f".advisories.{os.getpid()}.tmp"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(Path("advisories.d") / new.name)
        os.replace(tmp_link, root / "advisories")
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    finally:
        if client is not None:
            client.close()
    for gen in gens.iterdir():  # older generations: nobody points at them any more
        if gen != new and gen.is_dir():
            shutil.rmtree(gen, ignore_errors=True)
    result.state = read_state(root)
    return result


def stale_message(state: CacheState, now: datetime, max_age_days: float) -> str | None:
    stale = state.stale(now, max_age_days)
    if not stale:
        return None
    names = ", ".join(f"{s.key} ({state.age_days(s, now):.0f} days)" for s in stale)
    return (f"the advisory cache is older than {max_age_days:g} days: {names}; "
            "run `mamori db update` to refresh it")  # fmt: skip


def oldest_fetch(state: CacheState) -> datetime | None:
    dates = []
    for s in state.sources:
        try:
            dates.append(datetime.fromisoformat(s.fetched))
        except ValueError:
            continue
    return min(dates) if dates else None


__all__ = [
    "DEFAULT_MAX_AGE_DAYS", "CacheState", "SourceState", "UpdateRequest", "UpdateResult", "cache_root",
    "check_osv_zip", "read_state", "stale_message", "update",
]  # fmt: skip
