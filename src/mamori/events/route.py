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
            except TypeError:  # an unhashable value in the prefilter: only a list or a dict can equal it
                continue
            if entry not in lst:
                lst.append(entry)


class _RxGroup:
    """The detections whose first regular-expression prefilter reads one field (and no equality prefilter)."""

    __slots__ = ("cache", "entries", "get")

    def __init__(self, get: Callable[[Mapping[str, Any]], Any]) -> None:
        self.get = get
        self.entries: list[tuple[Entry, re.Pattern[str]]] = []
        self.cache: dict[str, list[Entry]] = {}

    def search(self, v: str) -> list[Entry]:
        if len(self.cache) >= MAX_CACHED_VALUES:
            self.cache.clear()
        hit = self.cache[v] = [e for e, rx in self.entries if rx.search(v) is not None]
        return hit


class Route:
    """The candidates of one (eventSource, eventName), their prefilters grouped by field."""

    __slots__ = ("always", "eq", "rx")

    def __init__(self, candidates: tuple[Detection, ...]) -> None:
        always: list[Entry] = []
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
                always.append(entry)
        self.always = always
        self.eq = tuple((g.get, g.by_value, g.entries) for g in eq.values())
        self.rx = tuple((g.get, g.cache, g.search, [e for e, _ in g.entries]) for g in rx.values())

    def pick(self, record: Mapping[str, Any]) -> list[Detection]:
        """The candidates whose first prefilter lets ``record`` through, in the index's order."""
        found: list[Entry] = self.always
        parts = 1 if found else 0
        for get, by_value, entries in self.eq:
            try:
                hit = by_value.get(get(record))
            except Exception:  # a list or a dict (unhashable), or the reader failed: the full check decides, and reports
                hit = entries
            if hit:
                found = found + hit if parts else hit
                parts += 1
        for get, cache, search, all_entries in self.rx:
            try:
                v = get(record)
            except Exception:
                hit = all_entries
            else:
                if not isinstance(v, str):
                    continue  # the full check refuses a value that is not text
                hit = cache.get(v)
                if hit is None:
                    hit = search(v)
            if hit:
                found = found + hit if parts else hit
                parts += 1
        if not parts:
            return []
        if parts > 1:
            found = sorted(found, key=_pos)
        return [d for _, d in found]


def _pos(e: Entry) -> int:
    return e[0]
