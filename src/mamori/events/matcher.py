"""Match records against detections: pure, fast, no I/O.

An event meets only the detections indexed under its (eventSource, eventName); for those
the condition is evaluated over a view of the record (the record itself plus the
normalised ``principal``). Threshold detections count matching events per key within a
sliding window of *event* time, so replaying an archive gives the same answer as
watching it live; an eventID seen twice in a window counts once.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import orjson

from mamori.events.loader import Detection, DetectionSet
from mamori.events.record import Principal, event_time, is_denied, principal_of, time_of
from mamori.events.route import Route
from mamori.events.schema import FailedCalls, ResponderRef
from mamori.events.scrub import clean_principal, clean_text, scrub
from mamori.model.finding import Severity
from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext

EVIDENCE_FIELDS = (
    "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
    "errorCode", "errorMessage", "recipientAccountId", "requestParameters", "responseElements",
    "additionalEventData",
)  # fmt: skip


class EventView:
    """What a condition reads: ``properties`` is the record plus ``principal``.

    The posture rules' special roots work too: ``$arn`` / ``$name`` (the principal), ``$id``
    (the eventID), ``$region`` and ``$account`` (the event's).
    """

    __slots__ = ("account", "arn", "id", "name", "principal", "properties", "region", "tags")

    def __init__(self, record: Mapping[str, Any], principal: Principal) -> None:
        self.principal = principal
        self.properties = {**record, "principal": principal.to_dict()}
        self.arn = principal.arn
        self.name = principal.name
        self.id = record.get("eventID", "")
        self.region = record.get("awsRegion", "")
        self.account = record.get("recipientAccountId") or principal.account
        self.tags: Mapping[str, str] = {}


class _RecordView:
    """What a condition that reads the record only (:attr:`Detection.when_record_only`) is given."""

    __slots__ = ("properties",)

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.properties = record


def finding_key(detection_id: str, principal_arn: str, resource: str) -> str:
    """The stable finding id of (detection, principal, resource)."""
    raw = "\x1f".join(("events", detection_id, principal_arn, resource))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Match:
    """One detection fired on one record (for a threshold: on the event that crossed it)."""

    detection: Detection
    record: Mapping[str, Any]
    principal: Principal
    resource: str
    at: datetime
    failed: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    source: str = ""

    @property
    def event_id(self) -> str:
        return str(self.record.get("eventID", ""))

    @property
    def event_ids(self) -> tuple[str, ...]:
        return self.related or (self.event_id,)

    @property
    def account(self) -> str:
        return str(self.record.get("recipientAccountId") or self.principal.account or "")

    @property
    def region(self) -> str:
        return str(self.record.get("awsRegion") or "")

    @property
    def finding_id(self) -> str:
        return finding_key(self.detection.id, self.principal.arn, self.resource)


ATTEMPT_SUFFIX = "_attempt"


def attempt_of(d: Detection, denied: bool) -> Detection:
    """The attempt twin of a detection: a failed call is not the success it tried to be.

    Same condition and resource, id ``<id>_attempt``, title "Attempt: ...", severity low
    when the call was denied (informational for another error), notify only, never escalated
    (its ``escalate`` is kept only to count it among the principal's offences).
    """
    title = f"Attempt: {d.spec.title} ({'denied' if denied else 'the call failed'})"
    spec = d.spec.model_copy(
        update={
            "id": d.spec.id + ATTEMPT_SUFFIX, "title": title,
            "severity": Severity.LOW if denied else Severity.INFORMATIONAL,
            "respond": [ResponderRef(responder="notify")], "threshold": None, "attempt_of": d.spec.id,
        }
    )  # fmt: skip
    return Detection(
        spec=spec, path=d.path, when=d.when, hooks=d.hooks, resource=d.resource, prefilter=d.prefilter, prefilter_re=d.prefilter_re,
        when_record_only=d.when_record_only,
    )


class _Window:
    """One threshold window: (event time, eventID, distinct values) in arrival order, with a
    running count of the distinct values and the newest and oldest times (O(1) per event, amortised)."""

    __slots__ = ("ids", "items", "newest", "oldest", "values")

    def __init__(self) -> None:
        self.items: deque[tuple[datetime, str, tuple[str, ...]]] = deque()
        self.ids: set[str] = set()
        self.values: dict[str, int] = {}
        self.newest: datetime | None = None
        self.oldest: datetime | None = None

    @classmethod
    def first(cls, at: datetime, event_id: str, vals: tuple[str, ...]) -> _Window:
        """A window of one event: what ``_Window()`` then :meth:`add` make, in one step (most
        windows of an archive never see a second event: one per instance session, say)."""
        w = cls.__new__(cls)
        w.items = deque(((at, event_id, vals),))
        w.ids = {event_id}
        values: dict[str, int] = {}
        for v in vals:
            values[v] = values.get(v, 0) + 1
        w.values = values
        w.newest = w.oldest = at
        return w

    def add(self, at: datetime, event_id: str, vals: tuple[str, ...]) -> None:
        self.items.append((at, event_id, vals))
        self.ids.add(event_id)
        if vals:
            values = self.values
            for v in vals:
                values[v] = values.get(v, 0) + 1
        if self.newest is None or at > self.newest:
            self.newest = at
        if self.oldest is None or at < self.oldest:
            self.oldest = at

    def trim(self, horizon: datetime) -> None:
        """Drop what is older than ``horizon`` (events arrive roughly in time order: late ones too)."""
        if len(self.items) < 64:
            if self.oldest is None or self.oldest >= horizon:  # nothing in it is older
                return
        elif self.items[0][0] >= horizon:  # a long window: checked at its oldest end
            return
        kept = deque(x for x in self.items if x[0] >= horizon)
        for t, i, vs in self.items:
            if t < horizon:
                self.ids.discard(i)
                for v in vs:
                    n = self.values.get(v, 0) - 1
                    if n > 0:
                        self.values[v] = n
                    else:
                        self.values.pop(v, None)
        self.items = kept
        self.oldest = min((x[0] for x in kept), default=None)

    def clear(self) -> None:
        self.items.clear()
        self.ids.clear()
        self.values.clear()
        self.oldest = None


Count = tuple[str, list[Any], list[str]]
"""One threshold count a record makes: (detection id, window key, distinct values), as JSON travels."""


def _key(d: Detection, props: Mapping[str, Any]) -> tuple[Any, ...]:
    """The window key of an event for a threshold detection (a list or an object by its text)."""
    return tuple(v if not isinstance(v := g(props), dict | list) else str(v) for g in d.threshold_by)


def _distinct_values(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, list):
        return tuple(str(x) for x in v if x is not None)
    return (str(v),)


class Matcher:
    """Routes records to detections and keeps the threshold windows."""

    def __init__(self, detections: DetectionSet, params: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.detections = detections
        params = params or {}
        self._ctx: dict[str, EvalContext] = {
            d.id: EvalContext(datetime.now(UTC), {**d.spec.params, **params.get(d.id, {})}, inventory={}, hooks=d.hooks)
            for d in detections
        }  # inventory: a per-detection state a stateful hook may keep (first source address of a session...)
        self._windows: dict[tuple[str, tuple[Any, ...]], _Window] = {}
        self._attempts: dict[tuple[str, bool], Detection] = {}
        self._re_cache: dict[re.Pattern[str], dict[str, bool]] = {}  # per pattern: value -> it matches
        self._routes: dict[tuple[str, str], Route] = {}
        self._spans: dict[str, timedelta] = {}
        self.dirty: set[tuple[str, tuple[Any, ...]]] = set()
        self.track_dirty = False
        """Threshold windows changed since the last save (see :meth:`window_state`)."""
        self.events = 0
        self.errors: list[tuple[str, str]] = []

    def _route(self, record: Mapping[str, Any]) -> Route:
        key = (record["eventSource"], record["eventName"])
        route = self._routes.get(key)
        if route is None:
            if len(self._routes) > 100_000:
                self._routes.clear()  # bounded: (source, name) pairs come from the input
            route = self._routes[key] = Route(self.detections.candidates(*key))
        return route

    def match(self, record: Mapping[str, Any], source: str = "") -> list[Match]:
        self.events += 1
        route = self._route(record)
        cands = route.pick(record)
        check = cands is None  # a prefilter's field could not be read: each candidate is checked (and reports)
        if cands is None:
            cands = route.candidates
        if not cands:
            return []
        failed = bool(record.get("errorCode"))
        view: EventView | None = None
        out: list[Match] = []
        for d in cands:
            if failed and d.spec.failed_calls is not FailedCalls.RESPOND:
                if d.spec.failed_calls is FailedCalls.IGNORE or d.spec.threshold is not None:
                    continue  # a count of successes: failed calls are counted by the denied-burst detections
                denied = is_denied(record)
                twin = self._attempts.get((d.id, denied))
                if twin is None:
                    twin = self._attempts[(d.id, denied)] = attempt_of(d, denied)
                d = twin
            try:
                if check and not self._passes(d, record):
                    continue
                if view is None and (d.when is not None or not d.record_only):
                    view = EventView(record, principal_of(record))
                m = self._one(d, record, view, failed, source)
            except Exception as exc:  # a hook failing on a shape it did not expect: this detection only, reported
                self.errors.append((d.id, f"{type(exc).__name__}: {str(exc)[:200]}"))
                continue
            if m is not None:
                out.append(m)
        return out

    def _passes(self, d: Detection, record: Mapping[str, Any]) -> bool:
        """Every prefilter of ``d`` lets ``record`` through."""
        for g, values in d.prefilter:  # a loop, not all(<generator>): this runs for most records of an archive
            if g(record) not in values:
                return False
        return not d.prefilter_re or self._re_ok(d, record)

    def skip(self, n: int) -> None:
        """Count ``n`` records that :meth:`wants` refused (parallel replay): as if matched, with no match."""
        self.events += n

    def _re_ok(self, d: Detection, record: Mapping[str, Any]) -> bool:
        """The regular-expression prefilter, cached per value (user agents and ARNs repeat)."""
        caches = self._re_cache
        for g, rx in d.prefilter_re:
            v = g(record)
            if type(v) is not str and not isinstance(v, str):
                return False
            cache = caches.get(rx)
            if cache is None:
                cache = caches[rx] = {}
            hit = cache.get(v)
            if hit is None:
                if len(cache) > 50_000:
                    cache.clear()
                hit = cache[v] = rx.search(v) is not None
            if not hit:
                return False
        return True

    def drain_errors(self) -> list[tuple[str, str]]:
        """(detection, error) for each detection that failed on the records matched since the last call."""
        errors, self.errors = self.errors, []
        return errors

    def _one(self, d: Detection, record: Mapping[str, Any], view: EventView | None, failed: bool, source: str) -> Match | None:
        ev: dict[str, Any] = {}
        if d.when is not None:
            assert view is not None
            ctx = self._ctx[d.id[: -len(ATTEMPT_SUFFIX)]] if d.id not in self._ctx else self._ctx[d.id]
            if d.when(cast(Resource, view), ctx, ev) is not True:
                return None
        props = view.properties if view is not None else record  # record_only: no path reads the principal
        at = event_time(record) or datetime.now(UTC)
        related: tuple[str, ...] = ()
        if d.spec.threshold is not None:
            related = self._count(d, props, at, str(record["eventID"]))
            if not related:
                return None
        return self._matched(d, record, view, ev, at, failed, related, source)

    def _matched(
        self, d: Detection, record: Mapping[str, Any], view: EventView | None, ev: dict[str, Any], at: datetime, failed: bool,
        related: tuple[str, ...], source: str,
    ) -> Match:  # fmt: skip
        if view is None:
            view = EventView(record, principal_of(record))
        res = d.resource(view.properties) if d.resource else None
        resource = clean_text(res if isinstance(res, str) else ("" if res is None else str(res)))
        evidence = {k: record[k] for k in EVIDENCE_FIELDS if k in record}
        if ev:
            evidence["matched"] = ev
        if related:
            evidence["events_in_window"] = len(related)
        return Match(d, record, clean_principal(view.principal), resource, at, failed, scrub(evidence), related, source)

    def _count(self, d: Detection, props: Mapping[str, Any], at: datetime, event_id: str) -> tuple[str, ...]:
        key = (d.id, _key(d, props))
        w = self._windows.get(key)
        if w is not None and event_id in w.ids:
            return ()
        return self._add(d, key, w, at, event_id, _distinct_values(d.distinct(props)) if d.distinct is not None else ())

    def _add(
        self, d: Detection, key: tuple[str, tuple[Any, ...]], w: _Window | None, at: datetime, event_id: str, vals: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Count one event (not yet in its window) toward a threshold: the eventIDs of the burst when it is reached."""
        th = d.spec.threshold
        assert th is not None
        if w is None:
            if len(self._windows) > 200_000:
                self._windows.clear()  # bounded memory; windows are minutes long
            w = self._windows[key] = _Window.first(at, event_id, vals)
            if self.track_dirty:
                self.dirty.add(key)
            # one event: nothing to trim (the span is > 0), and a count is >= 2
            if d.distinct is None or len(w.values) < th.count:
                return ()
        else:
            w.add(at, event_id, vals)
            if self.track_dirty:
                self.dirty.add(key)
        assert w.newest is not None
        span = self._spans.get(d.id)
        if span is None:
            span = self._spans[d.id] = timedelta(minutes=th.within_minutes)
        w.trim(w.newest - span)
        n = len(w.values) if d.distinct is not None else len(w.items)
        if n >= th.count:
            fired = tuple(i for _, i, _ in sorted(w.items))
            w.clear()  # the next burst must reach the threshold again
            return fired
        return ()

    # -- parallel replay: what readers send, and the parent's side of it -------------------

    def triage(self, record: Mapping[str, Any]) -> bool | list[Count]:
        """What :meth:`match` would do with ``record``, decided without reading or changing any state.

        ``False``: nothing (no detection can fire or count). A list: only count it toward
        these thresholds (:meth:`match_counts` does that, from the list, without the record).
        ``True``: anything else — a detection fires, a hook runs (hooks may keep state), or
        something failed (:meth:`match` reports it). Parallel replay's readers ask this; only
        the parent matches, in order. Conditions are pure, so evaluating them here and again
        in the parent gives the same answer; a threshold counts only events whose condition holds.
        """
        try:
            route = self._route(record)
            cands = route.pick(record)
        except Exception:
            return True
        if cands is None:
            return self._triage_checked(record, route.candidates)
        if not cands:
            return False
        failed = bool(record.get("errorCode"))
        view: EventView | None = None
        counts: list[Count] = []
        ctx = self._ctx
        for d in cands:  # every prefilter of these holds (the route checked them all)
            if failed and d.spec.failed_calls is not FailedCalls.RESPOND and (
                d.spec.failed_calls is FailedCalls.IGNORE or d.spec.threshold is not None
            ):
                continue  # as in match: not counted, and an attempt twin has the same condition
            try:
                if d.hooks:
                    return True
                when = d.when
                if when is not None:
                    if d.when_record_only:  # reads the record only: the same answer without building the view
                        if when(cast(Resource, _RecordView(record)), ctx[d.id], {}) is not True:
                            continue
                    else:
                        if view is None:
                            view = EventView(record, principal_of(record))
                        if when(cast(Resource, view), ctx[d.id], {}) is not True:
                            continue
                if d.spec.threshold is None:
                    return True  # it fires
                if d.record_only:
                    props: Mapping[str, Any] = record  # its paths read the same from the record as from the view
                else:
                    if view is None:
                        view = EventView(record, principal_of(record))
                    props = view.properties
                vals = _distinct_values(d.distinct(props)) if d.distinct is not None else ()
                counts.append((d.id, list(_key(d, props)), list(vals)))
            except Exception:
                return True
        return counts or False

    def _triage_checked(self, record: Mapping[str, Any], cands: tuple[Detection, ...]) -> bool | list[Count]:
        """:meth:`triage` when the route could not read a prefilter's field: each candidate checked in full."""
        failed = bool(record.get("errorCode"))
        view: EventView | None = None
        counts: list[Count] = []
        for d in cands:
            if failed and d.spec.failed_calls is not FailedCalls.RESPOND and (
                d.spec.failed_calls is FailedCalls.IGNORE or d.spec.threshold is not None
            ):
                continue
            try:
                if not self._passes(d, record):
                    continue
                if d.hooks:
                    return True
                if d.when is not None:
                    if view is None:
                        view = EventView(record, principal_of(record))
                    if d.when(cast(Resource, view), self._ctx[d.id], {}) is not True:
                        continue
                if d.spec.threshold is None:
                    return True
                if view is None and not d.record_only:
                    view = EventView(record, principal_of(record))
                props = view.properties if view is not None else record
                vals = _distinct_values(d.distinct(props)) if d.distinct is not None else ()
                counts.append((d.id, list(_key(d, props)), list(vals)))
            except Exception:
                return True
        return counts or False

    def match_counts(
        self, event_id: str, event_time_raw: Any, failed: bool, counts: list[Count], fetch: Callable[[], Mapping[str, Any]],
        source: str = "",
    ) -> list[Match]:  # fmt: skip
        """What :meth:`match` returns for the record :meth:`triage` turned into ``counts``;
        ``fetch()`` gives the record itself when a threshold is reached (rare: the readers do not send it)."""
        self.events += 1
        out: list[Match] = []
        parsed: datetime | None = None  # the event time, parsed once per record
        unparsed = True
        for did, key_list, vals in counts:
            d = self.detections.get(did)
            try:
                key = (did, tuple(key_list))
                w = self._windows.get(key)
                if w is not None and event_id in w.ids:
                    continue
                if unparsed:
                    parsed, unparsed = time_of(event_time_raw), False
                at = parsed or datetime.now(UTC)
                related = self._add(d, key, w, at, event_id, tuple(vals))
                if not related:
                    continue
                record = fetch()
                view = EventView(record, principal_of(record))
                ev: dict[str, Any] = {}
                if d.when is not None:
                    d.when(cast(Resource, view), self._ctx[d.id], ev)  # pure: fills the evidence as match() did
                out.append(self._matched(d, record, view, ev, at, failed, related, source))
            except Exception as exc:
                self.errors.append((d.id, f"{type(exc).__name__}: {str(exc)[:200]}"))
        return out

    # -- persistence of the windows (they survive a restart) ----------------------------

    def open_windows(self) -> set[tuple[str, tuple[Any, ...]]]:
        return {k for k, w in self._windows.items() if w.items}

    def window_state(self, keys: Iterable[tuple[str, tuple[Any, ...]]] | None = None) -> list[tuple[str, str, list[Any]]]:
        """(detection, key as JSON, items) of the windows named (default: all); items are [time, eventID, values]."""
        out = []
        for k in self._windows if keys is None else keys:
            w = self._windows.get(k)
            if w is None or not w.items:
                continue
            out.append((k[0], orjson.dumps(list(k[1]), default=str).decode(), [[t.isoformat(), i, list(v)] for t, i, v in w.items]))
        return out

    def restore_windows(self, rows: Iterable[tuple[str, str, list[Any]]]) -> int:
        """Load windows saved by :meth:`window_state` (unknown detections and bad rows are ignored)."""
        n = 0
        for did, key_json, items in rows:
            if did not in self.detections:
                continue
            try:
                key = (did, tuple(orjson.loads(key_json)))
                w = _Window()
                for t, i, vs in items:
                    w.add(datetime.fromisoformat(t), str(i), tuple(str(v) for v in vs))
            except (ValueError, TypeError, orjson.JSONDecodeError):
                continue
            self._windows[key] = w
            n += 1
        return n
