"""A second Hyperscan pass: every detector's regex, loosened, as one multi-pattern database.

The keyword prefilter finds lines worth trying; on real trees most of them hold a common word
(``token``, ``secret``, ``password``, ``://``) and no secret, and trying each one with its
detectors' Python regexes was most of the scan's time. This module turns each detector's
Python pattern into a Hyperscan pattern whose language is a **superset** of the original's,
scans a whole block with all of them at once (one C call), and gives, per detector, the end
offsets where the loosened pattern matched. The scanner then skips a detector on a line when
no end offset falls inside the line's window: the Python regex could not have matched there
either, so findings are exactly those of the scan without this pass.

Why the translation is a superset (every string the Python pattern matches, it matches):

* zero-width assertions (``^ $ \\b \\B \\A \\Z``, lookahead and lookbehind) are dropped: they
  only ever remove matches, and dropping them also makes the result independent of where the
  scanner's window starts and ends (``pos``/``endpos``);
* possessive quantifiers and atomic groups become ordinary ones; a conditional
  ``(?(1)a|b)`` becomes ``(?:a|b)``; a back-reference becomes a copy of the group it refers to;
* everything after the ``secret`` group is dropped when that group alone is at least
  :data:`MIN_SELECTIVE` characters long (a prefix of a match is a match of the prefix, and it
  ends no later), and a trailing variable repeat in that group is cut to its minimum: this
  keeps the number of reported end offsets (Python callbacks) near one per candidate;
* bytes are written as ``\\xHH``; ``\\s`` is spelled out (Python's includes ``\\v``).

Hyperscan reports every end offset of every match (no start-of-match tracking), so a Python
match ``[s, e)`` with ``pos <= s`` and ``e <= endpos`` always shows up as an end in
``(pos, endpos]``. A pattern Hyperscan still rejects is simply not filtered (always tried).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from re import _constants as C
from re import _parser as P
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mamori.gate.secrets.model import Detector

#: A secret group at least this long is selective enough to end the loosened pattern.
MIN_SELECTIVE = 8
_SPACE = rb"\t\n\x0b\x0c\r\x20"
_CAT_IN = {
    C.CATEGORY_DIGIT: rb"0-9",
    C.CATEGORY_WORD: rb"0-9A-Za-z_",
    C.CATEGORY_SPACE: _SPACE,
}
_CAT_NOT = {C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT, C.CATEGORY_NOT_WORD: C.CATEGORY_WORD, C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE}


class Untranslatable(Exception):
    """A construct this translator does not handle: the detector is then always tried."""


def _b(c: int) -> bytes:
    return b"\\x%02x" % c


def _class(items: Sequence[tuple[Any, Any]]) -> bytes:
    neg = False
    body: list[bytes] = []
    for op, av in items:
        if op is C.NEGATE:
            neg = True
        elif op is C.LITERAL:
            body.append(_b(av))
        elif op is C.RANGE:
            body.append(_b(av[0]) + b"-" + _b(av[1]))
        elif op is C.CATEGORY:
            if av in _CAT_IN:
                body.append(_CAT_IN[av])
            elif av in _CAT_NOT:
                if len(items) != 1 or neg:  # [^\S] and friends: rare, not worth a complement here
                    raise Untranslatable(f"negated category in a class: {av}")
                return b"[^" + _CAT_IN[_CAT_NOT[av]] + b"]"
            else:
                raise Untranslatable(f"category {av}")
        else:
            raise Untranslatable(f"class item {op}")
    if not body:
        raise Untranslatable("empty class")
    return b"[" + (b"^" if neg else b"") + b"".join(body) + b"]"


class _Emitter:
    def __init__(self) -> None:
        self.groups: dict[int, bytes] = {}

    def seq(self, items: Any, secret: int | None = None) -> tuple[bytes, bool]:
        """Emit a sequence; returns (text, stopped) where stopped means 'the rest was dropped'."""
        out: list[bytes] = []
        for op, av in items:
            if secret is not None and op is C.SUBPATTERN and av[0] == secret:
                text, loose = self._secret_group(av)
                out.append(text)
                if loose:
                    return b"".join(out), True
                continue
            out.append(self.item(op, av))
        return b"".join(out), False

    def _secret_group(self, av: Any) -> tuple[bytes, bool]:
        group, add, dele, sub = av
        lo, _hi = sub.getwidth()
        if lo < MIN_SELECTIVE:
            return self.item(C.SUBPATTERN, av), False
        items = list(sub)
        if items and items[-1][0] in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            rmin, rmax, body = items[-1][1]
            if rmin >= 1 and rmax != rmin:
                head, _ = self.seq(items[:-1])
                text = self._flags(add, dele, head + self._repeat(rmin, rmin, body))
                self.groups[group] = self.item(C.SUBPATTERN, av)
                return text, True
        text = self.item(C.SUBPATTERN, av)
        return text, True

    def _flags(self, add: int, dele: int, body: bytes) -> bytes:
        on = (b"i" if add & C.SRE_FLAG_IGNORECASE else b"") + (b"s" if add & C.SRE_FLAG_DOTALL else b"")
        off = (b"i" if dele & C.SRE_FLAG_IGNORECASE else b"") + (b"s" if dele & C.SRE_FLAG_DOTALL else b"")
        if on or off:
            return b"(?" + on + (b"-" + off if off else b"") + b":" + body + b")"
        return b"(?:" + body + b")"

    def _repeat(self, lo: int, hi: int, body: Any) -> bytes:
        inner, _ = self.seq(body)
        inner = b"(?:" + inner + b")"
        if hi == C.MAXREPEAT:
            return inner + (b"*" if lo == 0 else b"+" if lo == 1 else b"{%d,}" % lo)
        if lo == hi:
            return inner + b"{%d}" % lo
        # a bounded range becomes unbounded: a superset, and far cheaper for Hyperscan to compile
        return inner + (b"*" if lo == 0 else b"+" if lo == 1 else b"{%d,}" % lo)

    def item(self, op: Any, av: Any) -> bytes:
        if op is C.LITERAL:
            return _b(av)
        if op is C.NOT_LITERAL:
            return b"[^" + _b(av) + b"]"
        if op is C.ANY:
            return b"."
        if op is C.IN:
            return _class(av)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return b""
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, body = av
            return self._repeat(lo, hi, body)
        if op is C.SUBPATTERN:
            group, add, dele, sub = av
            body, _ = self.seq(sub)
            text = self._flags(add, dele, body)
            if group is not None:
                self.groups[group] = text
            return text
        if op is C.ATOMIC_GROUP:
            body, _ = self.seq(av)
            return b"(?:" + body + b")"
        if op is C.BRANCH:
            return b"(?:" + b"|".join(self.seq(alt)[0] for alt in av[1]) + b")"
        if op is C.GROUPREF:
            if av not in self.groups:
                raise Untranslatable("forward reference")
            return self.groups[av]
        if op is C.GROUPREF_EXISTS:
            _group, yes, no = av
            alts = [self.seq(yes)[0], self.seq(no)[0] if no is not None else b""]
            return b"(?:" + b"|".join(alts) + b")"
        raise Untranslatable(f"operator {op}")


def _identifier_head(parsed: Any, keywords: Sequence[bytes], ident: bytes) -> tuple[bytes, int]:
    """For an ``identifier``-anchored detector: ``[key]*(?:kw|...)[key]*`` replacing its key group.

    The scanner tries such a regex only at the start of the identifier holding a keyword, and its
    first group (a repeat of a class holding every identifier character) then runs over the
    keyword: every match starts with key characters, a keyword, key characters. Returns the head
    and how many leading items it replaces; raises when the pattern does not have that shape.
    """
    items = list(parsed)
    n = 0
    while n < len(items) and items[n][0] in (C.AT, C.ASSERT, C.ASSERT_NOT):
        n += 1
    if n >= len(items) or items[n][0] is not C.SUBPATTERN:
        raise Untranslatable("identifier anchor without a leading group")
    sub = list(items[n][1][3])
    if len(sub) != 1 or sub[0][0] not in (C.MAX_REPEAT, C.POSSESSIVE_REPEAT, C.MIN_REPEAT):
        raise Untranslatable("identifier anchor: the group is not a repeat")
    _lo, hi, body = sub[0][1]
    body = list(body)
    if hi != C.MAXREPEAT or len(body) != 1 or body[0][0] is not C.IN:
        raise Untranslatable("identifier anchor: not an unbounded class")
    cls = _class(body[0][1])
    check = re.compile(cls)
    need = set(ident) | {c for k in keywords for c in k.lower() + k.upper()}
    if not all(check.fullmatch(bytes([c])) for c in need):
        raise Untranslatable("identifier anchor: the class misses identifier or keyword characters")
    kws = b"|".join(b"".join(_b(c) for c in k) for k in sorted(set(keywords)))
    return b"(?:" + cls + b")*(?i:" + kws + b")(?:" + cls + b")*", n + 1


def loosen(
    pattern: bytes, flags: int = 0, *, identifier: tuple[Sequence[bytes], bytes] | None = None
) -> tuple[bytes, int]:
    """(Hyperscan pattern, Hyperscan flags) matching a superset of ``pattern``'s matches.

    ``identifier`` = (keywords, identifier characters) for a detector the scanner anchors at the
    identifier holding one of its keywords (see :func:`_identifier_head`).
    """
    import hyperscan  # type: ignore[import-not-found,unused-ignore]

    try:
        parsed = P.parse(pattern, flags)
    except re.error as exc:
        raise Untranslatable(str(exc)) from exc
    gflags = parsed.state.flags
    em = _Emitter()
    secret = parsed.state.groupdict.get("secret")
    if identifier is not None:
        head, skip = _identifier_head(parsed, identifier[0], identifier[1])
        items = list(parsed)
        for op, av in items[:skip]:  # keep the groups' texts for back-references
            em.item(op, av)
        tail, _ = em.seq(items[skip:], secret)
        text = head + tail
    else:
        text, _ = em.seq(parsed, secret)
    if not text:
        raise Untranslatable("empty pattern")
    hs_flags = 0
    if gflags & C.SRE_FLAG_IGNORECASE:
        hs_flags |= hyperscan.HS_FLAG_CASELESS
    if gflags & C.SRE_FLAG_DOTALL:
        hs_flags |= hyperscan.HS_FLAG_DOTALL
    return text, hs_flags


class RegexFilter:
    """The compiled database of loosened detector regexes; ``covered`` are the detectors it holds.

    Built with the scanner's keywords, the same database also finds them (ids after ``long_id``):
    :meth:`scan` gives the loosened patterns' ends and the keyword hits of one buffer in one
    Hyperscan call, where the keyword prefilter would be a second pass over the same bytes.
    """

    name = "hyperscan-regex"

    def __init__(self, db: Any, covered: frozenset[int], long_id: int, keyword_lens: Sequence[int] = ()) -> None:
        self._db = db
        self.covered = covered
        #: the id of the extra pattern ``[^\n]{max_line+1}``: in ``ends`` when a buffer has a long line
        self.long_id = long_id
        #: with keywords: keyword ``k`` has id ``long_id + 1 + k``; its length by id
        self.has_keywords = bool(keyword_lens)
        self._lens = [0] * (long_id + 1) + list(keyword_lens)

    def ends(self, buf: bytes) -> dict[int, list[int]]:
        """Detector index -> sorted end offsets of its loosened pattern's matches in ``buf``."""
        return self.scan(buf)[0]

    def scan(self, buf: bytes) -> tuple[dict[int, list[int]], list[tuple[int, int]]]:
        """``ends`` and, when built with keywords, every keyword hit ``(start, keyword index)`` sorted."""
        out: dict[int, list[int]] = {}
        hits: list[tuple[int, int]] = []
        append = hits.append
        long_id = self.long_id
        kbase = long_id + 1
        lens = self._lens

        def on_match(did: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            if did > long_id:
                append((to - lens[did], did - kbase))
                return
            lst = out.get(did)
            if lst is None:
                out[did] = [to]
            elif lst[-1] != to:
                lst.append(to)

        if buf:
            self._db.scan(buf, match_event_handler=on_match)
        for lst in out.values():
            lst.sort()
        hits.sort()
        return out, hits


def _translate(detectors: Sequence[Detector], ident: bytes) -> tuple[list[bytes], list[int], list[int]]:
    pats: list[bytes] = []
    ids: list[int] = []
    flags: list[int] = []
    for i, det in enumerate(detectors):
        rx = det.regex
        try:
            pat, fl = loosen(
                rx.pattern,
                rx.flags,
                identifier=(det.keywords, ident) if det.anchor == "identifier" else None,
            )
        except Untranslatable:
            continue
        pats.append(pat)
        ids.append(i)
        flags.append(fl)
    return pats, ids, flags


def _translator_identity() -> bytes:
    """This module's file identity: a changed translation never reuses a database built by another."""
    try:
        st = os.stat(__file__)
    except OSError:  # pragma: no cover - a zipped install
        return b""
    return b"%d:%d" % (st.st_size, st.st_mtime_ns)


def build_filter(
    detectors: Sequence[Detector],
    ident: bytes,
    max_line: int,
    *,
    compile_if_missing: bool = True,
    keywords: Sequence[bytes] = (),
) -> RegexFilter | None:
    """The database for ``detectors`` (indices as given), from the disk cache when possible.

    Compiling ~275 loosened patterns costs Hyperscan a few seconds, so the result is cached like
    the keyword prefilter's, keyed by every detector's pattern, flags, anchor and keywords (a
    custom detector or a gitleaks rule changes the key). None without Hyperscan, and None when
    it is not cached and ``compile_if_missing`` is false. ``keywords``: also find these, as the
    keyword prefilter does (case-insensitive literals), in the same pass (:meth:`RegexFilter.scan`).
    """
    try:
        import hyperscan  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    from mamori.gate.secrets.prefilter import MAX_CACHED_DB, _cache_path

    long_id = len(detectors)
    kw_lens = [len(k) for k in keywords]
    key: list[bytes] = [b"regex-filter-v2", _translator_identity(), ident, b"%d" % max_line]
    key += [b"keywords:%d" % len(keywords), *keywords]
    for det in detectors:
        key += [det.regex.pattern, b"%d" % det.regex.flags, det.anchor.encode(), b",".join(det.keywords)]
    path = _cache_path(key, prefix="secrets-regex")
    if path is not None:
        try:
            if path.stat().st_size <= MAX_CACHED_DB:
                raw = path.read_bytes()
                head, _, blob = raw.partition(b"\n")
                covered = frozenset(int(x) for x in head.split(b",") if x)
                loaded = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
                loaded.scratch = hyperscan.Scratch(loaded)
                return RegexFilter(loaded, covered, long_id, kw_lens)
        except Exception:  # missing, truncated or foreign: compile
            pass
    if not compile_if_missing:
        return None
    pats, ids, flags = _translate(detectors, ident)
    if not pats:
        return None
    pats.append(b"[^\\n]{%d}" % (max_line + 1))
    ids.append(long_id)
    flags.append(hyperscan.HS_FLAG_SINGLEMATCH)
    db: Any = _compile(hyperscan, pats, ids, flags, keywords, long_id)
    if db is None:
        # one pattern Hyperscan rejects (too large, matches empty): leave it out (always tried)
        keep = [n for n in range(len(pats)) if _compile(hyperscan, [pats[n]], [ids[n]], [flags[n]]) is not None]
        pats, ids, flags = [pats[n] for n in keep], [ids[n] for n in keep], [flags[n] for n in keep]
        db = _compile(hyperscan, pats, ids, flags, keywords, long_id) if pats else None
        if db is None:
            return None
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            head = b",".join(b"%d" % i for i in ids if i != long_id)
            tmp.write_bytes(head + b"\n" + hyperscan.dumpb(db))
            os.replace(tmp, path)
        except OSError:  # a read-only home: no cache, still correct
            pass
    return RegexFilter(db, frozenset(ids) - {long_id}, long_id, kw_lens)


def _compile(
    hyperscan: Any, pats: list[bytes], ids: list[int], flags: list[int], keywords: Sequence[bytes] = (), long_id: int = 0
) -> Any | None:
    if keywords:  # as the keyword prefilter compiles them, with ids after long_id
        pats = [*pats, *(re.escape(k) for k in keywords)]
        ids = [*ids, *range(long_id + 1, long_id + 1 + len(keywords))]
        flags = [*flags, *[hyperscan.HS_FLAG_CASELESS] * len(keywords)]
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=pats, ids=ids, elements=len(pats), flags=flags)
    except hyperscan.error:
        return None
    return db
