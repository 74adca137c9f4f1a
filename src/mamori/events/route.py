"""Route a record to the detections that can match it, with a few lookups per event.

The detection set's index narrows an event to the detections of its (eventSource,
eventName) plus the ``*`` ones (user agents, root activity, denied bursts...), which
every event meets. A :class:`Route` (one per (source, name), built on first use) groups
their prefilters so that their number stops mattering:

* every equality prefilter on one field is one dict lookup per event: the value of
  ``userIdentity.type`` picks the detections waiting for ``Root`` or ``AssumedRole``;
* every regular-expression prefilter on one field is one lookup per event in a cache of
  the field's values (user agents, ARNs repeat), the patterns run once per new value;
* detections with neither are always kept.

A route only narrows: a detection it keeps is then checked in full (every prefilter) by the
matcher, and the detections kept come back in the index's order, so a route never changes
what matches or in which order. A field whose value cannot be looked up (a list, a dict) or
whose reader fails keeps its detections, for the full check to decide (and report).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mamori.events.loader import Detection

Entry = tuple[int, "Detection"]
"""A detection and its place among the candidates of one (source, name)."""

MAX_CACHED_VALUES = 50_000


class _EqGroup:
    """The detections whose first prefilter reads one field: value -> the entries it keeps."""

    __slots__ = ("by_value", "entries", "get")

    def __init__(self, get: Callable[[Mapping[str, Any]], Any]) -> None:
        self.get = get
        self.by_value: dict[Any, list[Entry]] = {}
        self.entries: list[Entry] = []

    def add(self, entry: Entry, values: tuple[Any, ...]) -> None:
        self.entries.append(entry)
        for v in values:
            try:
                lst = self.by_value.setdefault(v, [])
            except TypeError:  # an unhashable value in the prefilter: looked at linearly
                continue
            if entry not in lst:
                lst.append(entry)

    def pick(self, record: Mapping[str, Any]) -> list[Entry] | tuple[()]:
        try:
            v = self.get(record)
        except Exception:
            return self.entries  # the full check runs the reader again and reports its error
        try:
            return self.by_value.get(v, ())
        except TypeError:  # a list or a dict: compared by the full check
            return self.entries


class _RxGroup:
    """The detections whose first regular-expression prefilter reads one field (and no equality prefilter)."""

    __slots__ = ("cache", "entries", "get")

    def __init__(self, get: Callable[[Mapping[str, Any]], Any]) -> None:
        self.get = get
        self.entries: list[tuple[Entry, re.Pattern[str]]] = []
        self.cache: dict[str, tuple[Entry, ...]] = {}

    def pick(self, record: Mapping[str, Any]) -> list[Entry] | tuple[Entry, ...]:
        try:
            v = self.get(record)
        except Exception:
            return [e for e, _ in self.entries]
        if not isinstance(v, str):
            return ()  # the full check refuses a value that is not text
        hit = self.cache.get(v)
        if hit is None:
            if len(self.cache) >= MAX_CACHED_VALUES:
                self.cache.clear()
            hit = self.cache[v] = tuple(e for e, rx in self.entries if rx.search(v) is not None)
        return hit


class Route:
    """The candidates of one (eventSource, eventName), their prefilters grouped by field."""

    __slots__ = ("always", "eq", "rx")

    def __init__(self, candidates: tuple[Detection, ...]) -> None:
        self.always: list[Entry] = []
        eq: dict[str, _EqGroup] = {}
        rx: dict[str, _RxGroup] = {}
        for i, d in enumerate(candidates):
            entry = (i, d)
            if d.prefilter:
                path = next(iter(d.spec.prefilter))
                get, values = d.prefilter[0]
                eq.setdefault(path, _EqGroup(get)).add(entry, values)
            elif d.prefilter_re:
                path = next(iter(d.spec.prefilter_match))
                get, pattern = d.prefilter_re[0]
                rx.setdefault(path, _RxGroup(get)).entries.append((entry, pattern))
            else:
                self.always.append(entry)
        self.eq = tuple(eq.values())
        self.rx = tuple(rx.values())

    @property
    def empty(self) -> bool:
        return not (self.always or self.eq or self.rx)

    def pick(self, record: Mapping[str, Any]) -> list[Detection]:
        """The candidates whose first prefilter lets ``record`` through, in the index's order."""
        found: list[Entry] = list(self.always)
        parts = 1 if found else 0
        for g in self.eq:
            hit = g.pick(record)
            if hit:
                found += hit
                parts += 1
        for r in self.rx:
            hit2 = r.pick(record)
            if hit2:
                found += hit2
                parts += 1
        if parts > 1:
            found.sort(key=_pos)
        return [d for _, d in found]


def _pos(e: Entry) -> int:
    return e[0]
