"""Stream bytes through the prefilter and run only the detectors whose keywords occur.

A file is read in blocks of about 1 MiB, cut at a line boundary with a look-ahead, so memory
stays bounded whatever the file size. Each line holding a keyword is tried with the detectors
that keyword triggers (once per line). Lines longer than ``max_line`` (minified bundles, data
blobs) are not tried whole: a window around each keyword is, and the file is reported as such.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from mamori.gate.secrets import hsregex, quiet
from mamori.gate.secrets.model import Detector, LazyPattern, Match, SecretValue
from mamori.gate.secrets.prefilter import Prefilter, build_prefilter

ALLOW_MARK = b"mamori:allow"
_IDENT_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"


@dataclass(frozen=True, slots=True)
class ScanOptions:
    block_size: int = 1 << 20
    lookahead: int = 1 << 14  # >= multiline_window: a PEM block never straddles two blocks
    overlap: int = 1024  # kept before a cut in the middle of a very long line
    max_line: int = 4096
    window_before: int = 256
    window_after: int = 1024
    multiline_window: int = 1 << 14
    sniff_bytes: int = 8192


@dataclass(slots=True)
class FileScan:
    matches: list[Match] = field(default_factory=list)
    binary: bool = False
    long_lines: bool = False
    size: int = 0


AllowFn = Callable[[str, str, bytes, bytes, bytes, "str | None"], "str | None"]
GITLEAKS_ALLOW = b"gitleaks:allow"


@dataclass(slots=True)
class _Raw:
    det: Detector
    start: int  # absolute offsets of the secret
    end: int
    m_start: int  # absolute offsets of the whole match
    m_end: int
    line: int
    column: int
    end_line: int
    secret: bytes
    allow: str | None


def _allow_reason(text: bytes) -> str | None:
    i = text.find(ALLOW_MARK)
    if i < 0:
        return None
    reason = text[i + len(ALLOW_MARK) :].strip(b" \t:=-").split(b"*/")[0].split(b"-->")[0].strip()
    return reason.decode("utf-8", "replace") if reason else None


class Scanner:
    """Holds the compiled prefilter; reusable across files (not thread-safe)."""

    def __init__(
        self,
        detectors: Sequence[Detector],
        *,
        engine: str = "auto",
        options: ScanOptions | None = None,
        allow: AllowFn | None = None,
    ) -> None:
        self.allow = allow  # gitleaks allowlists: (detector, path, secret, match, line, commit) -> reason
        self.detectors = tuple(d for d in detectors if not d.by_path)  # those are matched on file names
        self.options = options or ScanOptions()
        self._unkeyed = tuple(d for d in self.detectors if not d.keywords)
        self._keyed = frozenset(i for i, d in enumerate(self.detectors) if d.keywords)
        by_kw: dict[bytes, set[int]] = {}
        for i, d in enumerate(self.detectors):
            for k in d.keywords:
                by_kw.setdefault(k, set()).add(i)
        self.keywords = sorted(by_kw)
        # A keyword occurrence also means every keyword it contains occurs there (at that offset):
        # look each keyword's substrings up, rather than testing every pair of keywords.
        self._triggers: list[frozenset[int]] = []
        self._offsets: list[dict[int, tuple[int, ...]]] = []  # for anchored detectors
        for k in self.keywords:
            offs: dict[int, set[int]] = {}
            n = len(k)
            for a in range(n):
                for b in range(a + 1, n + 1):
                    for i in by_kw.get(k[a:b], ()):
                        offs.setdefault(i, set()).add(a)
            self._triggers.append(frozenset(offs))
            self._offsets.append({i: tuple(sorted(v)) for i, v in offs.items()})
        self._kwlen = [len(k) for k in self.keywords]
        #: each detector's pattern, a lazy one replaced by its compiled form once used (one Python call
        #: less per attempt in the per-window loop)
        self._regex: list[re.Pattern[bytes] | LazyPattern] = [d.regex for d in self.detectors]
        self._path_bound = tuple(i for i, d in enumerate(self.detectors) if d.path is not None)
        self._off_cache: dict[str, frozenset[int]] = {}  # by file name, when path patterns only look at it
        self._by_full_path = any(
            "/" in self.detectors[i].path.pattern.replace("(?:^|/)", "")  # type: ignore[union-attr]
            for i in self._path_bound
        )
        self.prefilter: Prefilter = build_prefilter(self.keywords or [b"\x00mamori-none"], engine)
        #: the loosened-regex pass (:mod:`hsregex`): off until :meth:`use_regex_filter`
        self.rx: hsregex.RegexFilter | None = None
        self._verdicts: dict[tuple[str, bytes, tuple[bytes | None, ...]], bool] | None = None

    def remember_verdicts(self) -> None:
        """From now on (a fresh memory), remember the checks' verdict on generic matches: see ``_accept``."""
        self._verdicts = {}

    def use_regex_filter(self, *, compile_if_missing: bool = True) -> bool:
        """Skip detectors on lines where their loosened regex cannot match (Hyperscan engine only).

        Worth it for a tree or a history: the database comes from a disk cache (~10 ms) or
        compiles once (~1 s of CPU); a pre-commit run on a few files does without. Findings are
        the same either way. ``compile_if_missing=False``: only when it is cached.
        """
        if self.rx is None and self.prefilter.name == "hyperscan":
            self.rx = hsregex.build_filter(
                self.detectors,
                _IDENT_CHARS,
                self.options.max_line,
                compile_if_missing=compile_if_missing,
                keywords=self.keywords,  # one Hyperscan pass per buffer finds both (RegexFilter.scan)
            )
        return self.rx is not None

    def _off_for(self, path: str) -> frozenset[int]:
        name = path if self._by_full_path else path.rsplit("/", 1)[-1]
        off = self._off_cache.get(name)
        if off is None:
            off = frozenset(i for i in self._path_bound if not self.detectors[i].path.search(path))  # type: ignore[union-attr]
            if len(self._off_cache) < 4096:
                self._off_cache[name] = off
        return off

    @property
    def engine(self) -> str:
        return self.prefilter.name

    # -- public -------------------------------------------------------------------------------

    def scan_bytes(self, path: str, data: bytes, *, generic: bool | None = None) -> FileScan:
        return self.scan_stream(path, [data], generic=generic)

    def scan_stream(self, path: str, chunks: Iterable[bytes], *, generic: bool | None = None) -> FileScan:
        """Scan one file's content; ``generic`` defaults to off for lockfiles."""
        if generic is None:
            generic = not quiet.is_lockfile(path)
        return _FileState(self, path, generic).run(iter(chunks))


class _FileState:
    def __init__(self, scanner: Scanner, path: str, generic: bool) -> None:
        self.s = scanner
        self.o = scanner.options
        self.path = path
        self.generic = generic
        self.result = FileScan()
        self.seen: set[tuple[str, int]] = set()
        self.emitted: list[tuple[_Raw, Match]] = []  # across blocks: a later pass may beat an earlier one
        #: detectors restricted to other paths (``nuget.config``, ``*.tf``, Kubernetes YAML)
        self.off = scanner._off_for(path) if scanner._path_bound else frozenset()
        self.ends: dict[int, list[int]] | None = None  # the regex filter's, for the current buffer

    def run(self, chunks: Iterator[bytes]) -> FileScan:
        o = self.o
        buf = b""
        base_line = 1  # line number of buf[0]
        base_off = 0  # absolute offset of buf[0]
        line_start_abs = 0  # absolute offset where the line holding buf[0] starts
        skip = 0
        eof = False
        first = True
        while True:
            parts = [buf]
            size = len(buf)
            while not eof and size < o.block_size + o.lookahead:
                c = next(chunks, None)
                if c is None:
                    eof = True
                    break
                parts.append(c)
                size += len(c)
            buf = b"".join(parts)
            if first:
                first = False
                if buf.find(b"\x00", 0, o.sniff_bytes) >= 0:
                    self.result.binary = True
                    self.result.size = size
                    for _ in chunks:  # drain a pipe-backed stream
                        pass
                    return self.result
            if eof:
                cut, midline = len(buf), False
            else:
                limit = len(buf) - o.lookahead
                nl = buf.rfind(b"\n", skip, limit)
                cut, midline = (nl + 1, False) if nl >= 0 else (limit, True)
            self._region(buf, skip, cut, base_line, base_off, line_start_abs)
            if eof:
                self.result.size = base_off + len(buf)
                break
            nxt = cut - o.overlap if midline else cut
            nl_before = buf.rfind(b"\n", 0, cut)
            if nl_before >= 0:
                line_start_abs = base_off + nl_before + 1
            base_line += buf.count(b"\n", 0, nxt)
            base_off += nxt
            skip = cut - nxt
            buf = buf[nxt:]
        if len(self.emitted) > 1:
            keep = {id(r) for r in _resolve_overlaps([r for r, _ in self.emitted])}
            self.result.matches = [m for r, m in self.emitted if id(r) in keep]
        self.result.matches.sort(key=lambda m: (m.line, m.column, m.detector.id))
        return self.result

    # -- one region of one buffer ----------------------------------------------------------------

    def _region(self, buf: bytes, lo: int, hi: int, base_line: int, base_off: int, first_ls_abs: int) -> None:
        s, o = self.s, self.o
        triggers, kwlen = s._triggers, s._kwlen
        line_no, counted = base_line, 0
        cur: set[int] = set()
        kh: list[tuple[int, int]] = []  # keyword hits in the current window
        w_lo = w_hi = ls = -1
        w_line = 0
        in_long = False
        half = o.window_after // 2
        self.ends = None
        dead: frozenset[int] | set[int] = frozenset()
        if s.rx is not None:
            # Detectors whose loosened regex matches nowhere in this buffer cannot match on any of
            # its lines: a keyword hit that triggers only those is dropped before any line work.
            # Without a long line every window is a whole line whichever hit opens it, so the
            # windows (and the long-line flag) are those of the scan without dropping.
            # With the keywords in the same database (the usual case) one call gives the hits too.
            if s.rx.has_keywords:
                ends, hits = s.rx.scan(buf)
                self.ends = ends
            else:
                ends = self.ends = s.rx.ends(buf)
                hits = []
            if s.rx.long_id not in ends:
                if not ends and s.rx.covered >= s._keyed:
                    hits = []  # nothing can match: no window to try
                else:
                    dead = s.rx.covered - ends.keys()
                    if not s.rx.has_keywords:
                        hits = s.prefilter.hits(buf)
            elif not s.rx.has_keywords:
                hits = s.prefilter.hits(buf)
        else:
            hits = s.prefilter.hits(buf)
        for start, k in hits:
            if start < lo:
                continue
            if start >= hi:
                break
            if dead and triggers[k] <= dead:
                continue
            if (start + kwlen[k] <= w_hi - half) if in_long else (start < w_hi):
                cur |= triggers[k]
                kh.append((start, k))
                continue
            if cur:
                self._flush(buf, cur, kh, ls, w_lo, w_hi, w_line, base_off, first_ls_abs)
            ls = buf.rfind(b"\n", 0, start) + 1
            le = buf.find(b"\n", start)
            if le < 0:
                le = len(buf)
            line_no += buf.count(b"\n", counted, ls)
            counted = ls
            w_line = line_no
            in_long = le - ls > o.max_line
            if in_long:
                self.result.long_lines = True
                w_lo, w_hi = max(ls, start - o.window_before), min(le, start + o.window_after)
            else:
                w_lo, w_hi = ls, le
            cur = set(triggers[k])
            kh = [(start, k)]
        if cur:
            self._flush(buf, cur, kh, ls, w_lo, w_hi, w_line, base_off, first_ls_abs)
        if s._unkeyed:
            self._unkeyed(buf, lo, hi, base_line, base_off, first_ls_abs)

    def _flush(
        self,
        buf: bytes,
        dets: set[int],
        kh: list[tuple[int, int]],
        ls: int,
        w_lo: int,
        w_hi: int,
        line_no: int,
        base_off: int,
        first_ls_abs: int,
    ) -> None:
        o = self.o
        found: list[_Raw] = []
        rx = self.s.rx
        covered = rx.covered if rx is not None else frozenset()
        ends = self.ends
        detectors, regexes = self.s.detectors, self.s._regex
        for i in dets:
            det = detectors[i]
            if (det.generic and not self.generic) or i in self.off:
                continue
            lst: list[int] | None = None
            if i in covered:
                if ends is None:
                    ends = self.ends = rx.ends(buf)  # type: ignore[union-attr]
                lst = ends.get(i)
                if lst is None:
                    continue
            if det.multiline:
                pos, endpos = ls, min(len(buf), ls + o.multiline_window)
            else:
                pos, endpos = w_lo, w_hi
                if det.lines_after and w_hi < len(buf) and w_hi - w_lo <= o.max_line:
                    for _ in range(det.lines_after):
                        nxt = buf.find(b"\n", endpos + 1)
                        endpos = len(buf) if nxt < 0 else nxt
                        if endpos - w_hi > o.max_line:
                            endpos = w_hi + o.max_line
                            break
            if lst is not None:
                # any match of the detector here is a match of its loosened pattern ending in
                # (pos, endpos]: none there, no match here (an anchored one starts at >= w_lo >= pos)
                j = bisect_left(lst, pos)
                if j == len(lst) or lst[j] > endpos:
                    continue
            rgx = regexes[i]
            if type(rgx) is LazyPattern:
                rgx = regexes[i] = rgx.compiled
            if det.anchor:
                for at in self._anchors(buf, det, kh, i, w_lo):
                    am = rgx.match(buf, at, endpos)
                    if am is not None:
                        raw = self._accept(det, am, buf, ls, line_no, base_off, first_ls_abs)
                        if raw is not None:
                            found.append(raw)
                continue
            for m in rgx.finditer(buf, pos, endpos):
                raw = self._accept(det, m, buf, ls, line_no, base_off, first_ls_abs)
                if raw is not None:
                    found.append(raw)
        if found:
            self._emit(found, buf, base_off)

    def _anchors(self, buf: bytes, det: Detector, kh: list[tuple[int, int]], i: int, w_lo: int) -> list[int]:
        """Where detector ``i`` may start in this window: where its keywords start (or their identifiers do)."""
        offsets = self.s._offsets
        if len(kh) == 1:  # most windows: one keyword hit, its offsets already sorted and distinct
            start, k = kh[0]
            offs = offsets[k].get(i)
            if offs is None:
                return []
            if det.anchor != "identifier":
                return [start + off for off in offs]
            if len(offs) == 1:
                p = start + offs[0]
                head = buf[max(w_lo, p - 128) : p]
                return [p - (len(head) - len(head.rstrip(_IDENT_CHARS)))]
        at: set[int] = set()
        for start, k in kh:
            offs = offsets[k].get(i)
            if offs is not None:
                for off in offs:
                    at.add(start + off)
        if det.anchor == "identifier":
            idents = set()
            for p in at:
                head = buf[max(w_lo, p - 128) : p]
                idents.add(p - (len(head) - len(head.rstrip(_IDENT_CHARS))))
            at = idents
        return sorted(at)

    def _unkeyed(self, buf: bytes, lo: int, hi: int, base_line: int, base_off: int, first_ls_abs: int) -> None:
        start_ls = buf.rfind(b"\n", 0, lo) + 1
        found: list[_Raw] = []
        for det in self.s._unkeyed:
            if det.path is not None and not det.path.search(self.path):
                continue
            for m in det.regex.finditer(buf, start_ls, hi):
                ls = buf.rfind(b"\n", 0, m.start()) + 1
                line_no = base_line + buf.count(b"\n", 0, ls)
                raw = self._accept(det, m, buf, ls, line_no, base_off, first_ls_abs)
                if raw is not None:
                    found.append(raw)
        self._emit(found, buf, base_off)

    def _accept(
        self,
        det: Detector,
        m: re.Match[bytes],
        buf: bytes,
        ls: int,
        line_no: int,
        base_off: int,
        first_ls_abs: int,
    ) -> _Raw | None:
        verdicts = self.s._verdicts
        if det.generic and verdicts is not None:
            # Generic assignments repeat (``api_key = settings.API_KEY`` on many lines and files) and
            # their checks only read the texts of the match and its groups: the verdict is remembered
            # per those texts (looked up before the secret is even extracted). (Vendor validators may
            # look around the match: never remembered.)
            vkey = (det.id, m.group(), m.groups())
            ok = verdicts.get(vkey)
            if ok is None:
                ok = _passes(det, m, det.secret_of(m))
                if len(verdicts) >= _MAX_VERDICTS:
                    verdicts.clear()
                verdicts[vkey] = ok
            if not ok:
                return None
            grp = det.secret_span_group(m)
            secret = m.group(grp)
        else:
            grp = det.secret_span_group(m)
            secret = m.group(grp)
            if not _passes(det, m, secret):
                return None
        s_start, s_end = m.start(grp), m.end(grp)
        key = (det.id, base_off + s_end)
        if key in self.seen:
            return None
        self.seen.add(key)
        m_start = m.start() if det.multiline else s_start
        line = line_no + buf.count(b"\n", ls, m_start)
        nl = buf.rfind(b"\n", 0, m_start)
        line_start_abs = base_off + nl + 1 if nl >= 0 else first_ls_abs
        column = base_off + m_start - line_start_abs + 1
        end_line = line + buf.count(b"\n", m_start, m.end() if det.multiline else s_end)
        return _Raw(
            det, base_off + s_start, base_off + s_end, base_off + m.start(), base_off + m.end(), line, column, end_line, secret, None
        )

    def _emit(self, found: list[_Raw], buf: bytes, base_off: int) -> None:
        if not found:
            return
        if len(found) > 1:
            found = _resolve_overlaps(found)
        for r in found:
            rel = r.start - base_off
            ls = buf.rfind(b"\n", 0, rel) + 1
            le = buf.find(b"\n", rel)
            if le < 0:
                le = len(buf)
            if le - ls > self.o.max_line:
                ls, le = max(ls, rel - self.o.window_before), min(le, rel + self.o.window_after)
            reason = _allow_reason(buf[ls:le])
            if reason is None and ls > 0:
                pls = buf.rfind(b"\n", 0, ls - 1) + 1
                if ls - pls <= self.o.max_line:
                    reason = _allow_reason(buf[pls : ls - 1])
            if reason is None and GITLEAKS_ALLOW in buf[ls:le]:
                reason = "gitleaks:allow"
            if reason is None and self.s.allow is not None:
                m_text = buf[max(0, r.m_start - base_off) : r.m_end - base_off]
                reason = self.s.allow(r.det.id, self.path, r.secret, m_text, buf[ls:le], None)
            match = Match(
                detector=r.det,
                path=self.path,
                line=r.line,
                column=r.column,
                end_line=r.end_line,
                secret=SecretValue(r.secret),
                allow_reason=reason,
            )
            self.result.matches.append(match)
            self.emitted.append((r, match))


_MAX_VERDICTS = 1 << 16


def _passes(det: Detector, m: re.Match[bytes], secret: bytes) -> bool:
    """The value checks after a detector's regex matched: examples, entropy, placeholders, validator."""
    if not secret or quiet.is_documented_example(secret):
        return False
    if det.min_entropy is not None and quiet.shannon_entropy(secret) < det.min_entropy:
        return False
    if det.vendor and quiet.looks_like_vendor_placeholder(secret):
        return False
    return det.validator is None or det.validator(m, secret)


def _resolve_overlaps(found: list[_Raw]) -> list[_Raw]:
    """Where two detectors claim overlapping text, keep the specific one (a sweep over start offsets)."""
    order = sorted(found, key=lambda r: r.start)
    beaten: set[int] = set()
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if b.start >= a.end:
                break
            if a.det.id in b.det.supersedes or (a.det.generic and not b.det.generic):
                beaten.add(id(a))
            if b.det.id in a.det.supersedes or (b.det.generic and not a.det.generic):
                beaten.add(id(b))
    return [r for r in found if id(r) not in beaten]
