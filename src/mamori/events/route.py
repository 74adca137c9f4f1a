"""Route a record to the detections whose prefilters it passes, with a few lookups per event.

The detection set's index narrows an event to the detections of its (eventSource,
eventName) plus the ``*`` ones (user agents, root activity, denied bursts...), which
every event meets. A :class:`Route` (one per (source, name), built on first use) compiles
*every* prefilter of those candidates into one bit mask per field value:

* each field that some prefilter reads is read once per event, and its value looked up in a
  cache of masks (bit i set: candidate i's tests on that field pass, or it has none) — an
  equality prefilter on ``userIdentity.type`` and the regular expressions on the user agent
  both cost one dict lookup per event once the value has been seen;
* the masks are ANDed field after field, stopping at zero (most events of an archive meet no
  detection after two or three lookups); a field is not read once every candidate it tests
  is out, and detections sharing a pattern on one field share its search;
* the final mask gives the candidates, in the index's order (cached per mask).

:meth:`Route.pick` therefore returns exactly the candidates whose prefilters all hold (what
checking each candidate's prefilters one by one gives, which a property test checks). A
value that cannot be cached (a list, a dict) is tested directly. A field whose reader fails
makes :meth:`Route.pick` return None: the caller then checks each candidate itself, and
reports the failure against the detection, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mamori.events.loader import Detection

MAX_CACHED_VALUES = 50_000

Getter = Callable[[Mapping[str, Any]], Any]


class _Field:
    """The tests of one field (by its path) over the candidates of one route, and their cache."""

    __slots__ = ("cache", "eq", "free", "get", "rx", "tested")

    def __init__(self, get: Getter) -> None:
        self.get = get
        self.eq: list[tuple[int, tuple[Any, ...]]] = []  # (bit, the values it accepts)
        self.rx: list[tuple[int, re.Pattern[str]]] = []  # (bits, pattern to find), one per distinct pattern
        self.tested = 0  # the bits of the candidates with a test here
        self.free = 0  # every candidate's bit: those with no test here are let through
        self.cache: dict[Any, int] = {}

    def mask(self, v: Any) -> int:
        """The mask of value ``v``: a candidate's bit is cleared when one of its tests here fails."""
        fail = 0
        for bit, values in self.eq:
            if v not in values:
                fail |= bit
        text = isinstance(v, str)
        for bit, rx in self.rx:
            if not text or rx.search(v) is None:
                fail |= bit
        return self.free & ~fail


class Route:
    """The candidates of one (eventSource, eventName), every prefilter compiled into masks."""

    __slots__ = ("all", "by_mask", "candidates", "fields")

    def __init__(self, candidates: tuple[Detection, ...]) -> None:
        self.candidates = candidates
        fields: dict[str, _Field] = {}
        for i, d in enumerate(candidates):
            bit = 1 << i
            for (path, _), (get, values) in zip(d.spec.prefilter.items(), d.prefilter, strict=True):
                f = fields.setdefault(path, _Field(get))
                f.eq.append((bit, values))
                f.tested |= bit
            for (path, _), (get, rx) in zip(d.spec.prefilter_match.items(), d.prefilter_re, strict=True):
                f = fields.setdefault(path, _Field(get))
                f.tested |= bit
                same = next((i for i, (_, r) in enumerate(f.rx) if (r.pattern, r.flags) == (rx.pattern, rx.flags)), None)  # fmt: skip
                if same is None:
                    f.rx.append((bit, rx))
                else:  # the same pattern for several detections: searched once per value
                    f.rx[same] = (f.rx[same][0] | bit, rx)
        everyone = (1 << len(candidates)) - 1
        for f in fields.values():
            f.free = everyone
        # equality fields first (one lookup decides most events), then the expressions
        order = sorted(fields, key=lambda p: 1 if fields[p].rx else 0)
        self.fields = tuple((*_keys(p), fields[p].tested, fields[p]) for p in order)
        self.all = everyone
        self.by_mask: dict[int, tuple[Detection, ...]] = {0: ()}

    def pick(self, record: Mapping[str, Any]) -> tuple[Detection, ...] | None:
        """The candidates whose every prefilter lets ``record`` through, in the index's order;
        None when a field could not be read (the caller checks each candidate)."""
        mask = self.all
        for k1, k2, tested, f in self.fields:
            if not mask & tested:
                continue  # every candidate this field tests is already out: not read
            if k1 is not None:  # a one- or two-part dotted path, read inline (what the loader's getter does)
                v = record.get(k1)
                if k2 is not None and v is not None:
                    v = v.get(k2) if type(v) is dict else f.get(record)
            else:
                try:
                    v = f.get(record)
                except Exception:  # the reader failed: the full check decides, and reports
                    return None
            cache = f.cache
            try:
                m = cache.get(v)
            except TypeError:  # a list or a dict: not cached
                m = f.mask(v)
            else:
                if m is None:
                    if len(cache) >= MAX_CACHED_VALUES:
                        cache.clear()
                    m = cache[v] = f.mask(v)
            mask &= m
            if not mask:
                return ()
        hit = self.by_mask.get(mask)
        if hit is None:
            hit = self.by_mask[mask] = tuple(d for i, d in enumerate(self.candidates) if mask >> i & 1)
        return hit


def _keys(path: str) -> tuple[str | None, str | None]:
    """(first, second) key of a dotted path of one or two parts (read inline), else (None, None)."""
    parts = path.split(".")
    if not all(p.isidentifier() for p in parts) or len(parts) > 2:
        return None, None
    return parts[0], parts[1] if len(parts) == 2 else None
