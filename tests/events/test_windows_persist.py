"""Threshold windows survive a restart: a burst split across two watcher processes still fires."""

from __future__ import annotations

from datetime import timedelta

from mamori.events import DetectionSet, Matcher
from mamori.events.processor import Processor
from mamori.events.store import EventStore
from mamori.findings import Store

from .helpers import BASE_TIME, record


def _denied(i: int) -> dict[str, object]:
    return record(BASE_TIME + timedelta(seconds=10 * i), eventSource="iam.amazonaws.com", eventName="ListRoles", errorCode="AccessDenied")


def test_a_burst_split_by_a_restart_still_fires(store: Store, detections: DetectionSet) -> None:
    first = Processor(Matcher(detections), ledger=EventStore(store.engine), store=store, persist_windows=True)
    assert first.restore_windows() == 0
    for i in range(12):  # 12 of the 20 denied calls access_denied_burst needs
        assert not any(o.match.detection.id == "access_denied_burst" for o in first.process(_denied(i)))
    first.flush()
    second = Processor(Matcher(detections), ledger=EventStore(store.engine), store=store, persist_windows=True)  # a restart
    assert second.restore_windows() >= 1
    fired = [o for i in range(12, 20) for o in second.process(_denied(i)) if o.match.detection.id == "access_denied_burst"]
    assert len(fired) == 1 and len(fired[0].match.event_ids) == 20
    second.flush()  # the window that fired is empty again: nothing left to restore for it
    third = Processor(Matcher(detections), ledger=EventStore(store.engine), store=store, persist_windows=True)
    third.restore_windows()
    assert not [o for i in range(20, 25) for o in third.process(_denied(i)) if o.match.detection.id == "access_denied_burst"]


def test_without_persistence_a_restart_forgets(store: Store, detections: DetectionSet) -> None:
    first = Processor(Matcher(detections), ledger=EventStore(store.engine), store=store)
    for i in range(12):
        first.process(_denied(i))
    first.flush()
    second = Processor(Matcher(detections), ledger=EventStore(store.engine), store=store)
    assert second.restore_windows() == 0
