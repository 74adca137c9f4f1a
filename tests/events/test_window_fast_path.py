"""A new threshold window is built in one step (``_Window.first``) and returns at once when one
event cannot reach the count: property test against the general path (``_Window()`` then
``add``, ``trim`` and count, as before), on random event streams — same bursts fired, same
windows left, in the same order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mamori.events.matcher import Matcher, _Window

from .helpers import BASE_TIME

Key = tuple[str, tuple[Any, ...]]


class _General:
    """The windows as counted before the fast path: every event through ``add``, ``trim`` and the count."""

    def __init__(self) -> None:
        self.windows: dict[Key, _Window] = {}

    def add(self, d: Any, key: Key, at: datetime, event_id: str, vals: tuple[str, ...]) -> tuple[str, ...]:
        w = self.windows.get(key)
        if w is not None and event_id in w.ids:
            return ()
        if w is None:
            w = self.windows[key] = _Window()
        w.add(at, event_id, vals)
        assert w.newest is not None
        w.trim(w.newest - timedelta(minutes=d.spec.threshold.within_minutes))
        n = len(w.values) if d.distinct is not None else len(w.items)
        if n >= d.spec.threshold.count:
            fired = tuple(i for _, i, _ in sorted(w.items))
            w.clear()
            return fired
        return ()


def _detection(i: int, count: int, minutes: float, distinct: bool) -> Any:
    spec = SimpleNamespace(threshold=SimpleNamespace(count=count, within_minutes=minutes, by=["k"], distinct="v" if distinct else None))
    return SimpleNamespace(id=f"d{i}", spec=spec, distinct=(lambda props: props) if distinct else None)


events = st.lists(
    st.tuples(
        st.integers(0, 2),  # detection
        st.integers(0, 3),  # key
        st.integers(-120, 1200),  # seconds after the start: late events too
        st.integers(0, 40),  # eventID (repeats are duplicates)
        st.lists(st.sampled_from("abcd"), max_size=4),  # distinct values
    ),
    max_size=120,
)


@given(
    st.lists(st.tuples(st.integers(2, 4), st.sampled_from([0.5, 1, 5, 30]), st.booleans()), min_size=3, max_size=3),
    events,
    st.booleans(),
)
def test_windows_equal_the_general_path(specs: list[tuple[int, float, bool]], stream: list[Any], dirty: bool) -> None:
    ds = [_detection(i, c, m, dist) for i, (c, m, dist) in enumerate(specs)]
    m = Matcher.__new__(Matcher)
    m._windows, m._spans, m.dirty, m.track_dirty = {}, {}, set(), dirty
    ref = _General()
    for di, k, sec, eid, vals in stream:
        d = ds[di]
        key: Key = (d.id, (f"k{k}",))
        at, event_id = BASE_TIME + timedelta(seconds=sec), f"e{eid}"
        w = m._windows.get(key)
        got = () if w is not None and event_id in w.ids else m._add(d, key, w, at, event_id, tuple(vals))
        assert got == ref.add(d, key, at, event_id, tuple(vals))
        if dirty:
            assert key in m.dirty
    assert m.window_state() == [(k[0], f'["{k[1][0]}"]', [[t.isoformat(), i, list(v)] for t, i, v in w.items]) for k, w in ref.windows.items() if w.items]
    for key, w in ref.windows.items():
        mine = m._windows[key]
        assert (list(mine.items), mine.ids, mine.values, mine.newest, mine.oldest) == (list(w.items), w.ids, w.values, w.newest, w.oldest)


def test_one_event_with_enough_distinct_values_fires_at_once() -> None:
    d = _detection(0, 2, 5, True)
    m = Matcher.__new__(Matcher)
    m._windows, m._spans, m.dirty, m.track_dirty = {}, {}, set(), False
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert m._add(d, ("d0", ("k",)), None, at, "e1", ("a", "b")) == ("e1",)
    assert m._add(d, ("d0", ("k",)), None, at, "e2", ("a",)) == ()
