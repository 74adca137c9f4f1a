"""Keyword prefilters: find every occurrence of any detector keyword in a buffer, in one pass.

Three interchangeable backends, all case-insensitive, all reporting ``(start, keyword_index)``
for every position where some keyword starts (the longest keyword at that position; the
scanner also triggers the detectors of every keyword contained in it):

* ``hyperscan`` — Intel Hyperscan's multi-literal matcher (a runtime dependency on x86-64);
* ``re2``       — google-re2's automaton over the lower-cased buffer, when installed;
* ``re``        — the standard library: one trie-shaped alternation over the lower-cased buffer.

``auto`` picks the first one that imports. ``MAMORI_SECRETS_ENGINE`` overrides ``auto``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from mamori.gate.secrets.errors import SecretsConfigError
from mamori.registry import Registry

Hit = tuple[int, int]
"""(start offset, keyword index)."""


class Prefilter(Protocol):
    name: str

    def hits(self, buf: bytes) -> list[Hit]:
        """Every keyword start in ``buf``, sorted by offset."""
        ...


class EngineUnavailable(Exception):
    """The backend's library is not installed (internal: ``auto`` moves on to the next)."""


ENGINES: Registry[Callable[[Sequence[bytes]], Prefilter]] = Registry("secret-scanning engine")
AUTO_ORDER = ("hyperscan", "re2", "re")


def _by_length_desc(keywords: Sequence[bytes]) -> list[tuple[int, bytes]]:
    return sorted(enumerate(keywords), key=lambda t: (-len(t[1]), t[1]))


def trie_pattern(words: Sequence[bytes]) -> bytes:
    """A regex matching any of ``words``, longest first, shaped as a trie for a fast backtracker."""
    trie: dict[int, Any] = {}
    for w in words:
        node = trie
        for c in w:
            node = node.setdefault(c, {})
        node[-1] = {}

    def build(node: dict[int, Any]) -> bytes:
        ends = -1 in node
        alts = [re.escape(bytes([c])) + build(node[c]) for c in sorted(k for k in node if k != -1)]
        if not alts:
            return b""
        body = alts[0] if len(alts) == 1 else b"(?:" + b"|".join(alts) + b")"
        if ends:
            return b"(?:" + body + b")?"
        return body

    return build(trie)


class _SearchLoop:
    """Shared by the ``re`` and ``re2`` backends: restart one character after each hit."""

    name = "re"

    def __init__(self, keywords: Sequence[bytes], search: Callable[[bytes, int], Any]) -> None:
        self._index = {k: i for i, k in enumerate(keywords)}
        self._search = search

    def hits(self, buf: bytes) -> list[Hit]:
        low = buf.lower()
        out: list[Hit] = []
        index = self._index
        search = self._search
        m = search(low, 0)
        while m is not None:
            start = m.start()
            out.append((start, index[m.group()]))
            m = search(low, start + 1)
        return out


@ENGINES.register("re")
def _re_engine(keywords: Sequence[bytes]) -> Prefilter:
    rx = re.compile(trie_pattern(keywords))
    loop = _SearchLoop(keywords, rx.search)
    loop.name = "re"
    return loop


@ENGINES.register("re2")
def _re2_engine(keywords: Sequence[bytes]) -> Prefilter:
    try:
        import re2  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise EngineUnavailable("google-re2 is not installed") from exc
    rx = re2.compile(b"|".join(re.escape(k) for _, k in _by_length_desc(keywords)))
    loop = _SearchLoop(keywords, rx.search)
    loop.name = "re2"
    return loop


class _Hyperscan:
    name = "hyperscan"

    def __init__(self, keywords: Sequence[bytes]) -> None:
        try:
            import hyperscan  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise EngineUnavailable("hyperscan is not installed") from exc
        self._lens = [len(k) for k in keywords]
        cached = _cache_path(keywords)
        db = _load_cached(hyperscan, cached) if cached is not None else None
        if db is None:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(
                expressions=[re.escape(k) for k in keywords],
                ids=list(range(len(keywords))),
                elements=len(keywords),
                flags=[hyperscan.HS_FLAG_CASELESS] * len(keywords),
            )
            if cached is not None:
                _store(hyperscan, db, cached)
        self._db = db

    def hits(self, buf: bytes) -> list[Hit]:
        out: list[Hit] = []
        append = out.append
        lens = self._lens

        def on_match(kid: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            append((to - lens[kid], kid))

        if buf:
            self._db.scan(buf, match_event_handler=on_match)
        out.sort()
        return out


#: Compiling ~350 keywords costs Hyperscan some 20-60 ms, a fifth of a pre-commit hook's budget: the
#: compiled database is kept in the user's cache directory, keyed by the keywords and the library.
MAX_CACHED_DB = 32 << 20


def _cache_path(keywords: Sequence[bytes], prefix: str = "secrets-prefilter") -> Path | None:
    """Where a database compiled from ``keywords`` (any byte strings identifying it) is cached."""
    if os.environ.get("MAMORI_SECRETS_NO_CACHE"):
        return None
    import hashlib
    import platform

    base = os.environ.get("MAMORI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "mamori"
    )
    h = hashlib.sha256()
    for part in (platform.machine().encode(), _hs_version().encode(), *keywords):
        h.update(part + b"\x00")
    return Path(base) / f"{prefix}-{h.hexdigest()[:32]}.hsdb"


def _hs_version() -> str:
    """The library's version and its compiled module's identity (importlib.metadata costs ~50 ms)."""
    import hyperscan  # type: ignore[import-not-found,unused-ignore]

    ext = getattr(hyperscan, "_hs_ext", None)
    where = getattr(ext, "__file__", None) or hyperscan.__file__ or ""
    try:
        st = os.stat(where)
        ident = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        ident = ""
    return f"{getattr(hyperscan, '__version__', '')}:{where}:{ident}"


def _load_cached(hyperscan: Any, path: Path) -> Any | None:
    try:
        if path.stat().st_size > MAX_CACHED_DB:
            return None
        db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)
    except Exception:  # a missing, truncated or foreign file: compile instead
        return None
    return db


def _store(hyperscan: Any, db: Any, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(hyperscan.dumpb(db))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:  # a read-only home: no cache, still correct
        return


@ENGINES.register("hyperscan")
def _hs_engine(keywords: Sequence[bytes]) -> Prefilter:
    return _Hyperscan(keywords)


def build_prefilter(keywords: Sequence[bytes], engine: str = "auto") -> Prefilter:
    """The named backend, or for ``auto`` the first that is installed."""
    if engine == "auto":
        engine = os.environ.get("MAMORI_SECRETS_ENGINE", "auto")
    if engine != "auto":
        if engine not in ENGINES:
            known = ", ".join(["auto", *ENGINES])
            raise SecretsConfigError(f"unknown engine {engine!r} (one of: {known})", source="--engine")
        try:
            return ENGINES.get(engine)(keywords)
        except EngineUnavailable as exc:
            raise SecretsConfigError(str(exc), source="--engine") from exc
    for name in AUTO_ORDER:
        try:
            return ENGINES.get(name)(keywords)
        except EngineUnavailable:
            continue
    raise AssertionError("the 're' engine is always available")  # pragma: no cover


def available_engines() -> list[str]:
    out = []
    for name in AUTO_ORDER:
        try:
            ENGINES.get(name)([b"x"])
        except EngineUnavailable:
            continue
        out.append(name)
    return out
