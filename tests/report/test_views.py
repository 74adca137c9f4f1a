"""Read models of the Scans, Events and Audit pages: scoped to the visible accounts, keyset pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mamori.audit import log as audit
from mamori.errors import InputError
from mamori.events import DetectionSet, Matcher
from mamori.events.processor import Processor
from mamori.events.store import EventStore
from mamori.findings import Store
from mamori.notify.channels import MemoryNotifier
from mamori.report.views import (
    audit_view,
    detections_per_day,
    events_page,
    repeat_offenders,
    scan_detail,
    scans_page,
)

from ..events.conftest import detections
from ..events.helpers import BASE_TIME, role_session, stop_logging
from ..standards.conftest import DEV, PROD
from .conftest import build_store

__all__ = ["detections"]


@pytest.fixture
def built(store_url: str, tmp_path: Path) -> Store:
    store, _ = build_store(store_url, tmp_path / "rules")
    yield store  # type: ignore[misc]
    store.close()


def test_scans_scoped_and_paged(built: Store) -> None:
    store = built
    everything = scans_page(store)
    assert len(everything.items) == 3 and everything.next_cursor is None
    newest = everything.items[0]
    assert newest["accounts"] == sorted([PROD, DEV]) or set(newest["accounts"]) == {PROD, DEV}
    assert newest["changes"] == {"new": 5, "reopened": 0, "resolved": 1} and newest["resources"] > 0
    first = scans_page(store, limit=2)
    rest = scans_page(store, limit=2, cursor=first.next_cursor)
    assert [s["id"] for s in first.items + rest.items] == [s["id"] for s in everything.items] and rest.next_cursor is None
    dev = scans_page(store, accounts=frozenset({DEV}))
    assert [s["id"] for s in dev.items] == [newest["id"]]
    (only,) = dev.items
    assert only["accounts"] == [DEV] and only["resources"] is None and only["changes"] == {"new": 2, "reopened": 0, "resolved": 0}
    assert only["results"]["FAIL"] == 2 and PROD not in str(dev.to_dict())
    assert scans_page(store, accounts=frozenset()).items == ()
    detail = scan_detail(store, newest["id"], accounts=frozenset({DEV}))
    assert detail is not None and {f["account"] for f in detail["findings"]} == {DEV}
    oldest = everything.items[-1]["id"]
    assert scan_detail(store, oldest, accounts=frozenset({DEV})) is None and scan_detail(store, oldest) is not None
    with pytest.raises(InputError):
        scans_page(store, cursor="yesterday")


def test_events_timeline_and_repeat_offenders(built: Store, detections: DetectionSet) -> None:
    store = built
    proc = Processor(Matcher(detections), ledger=EventStore(store.engine), store=store, notifiers=[MemoryNotifier()])
    for i, acct in enumerate((PROD, PROD, DEV)):
        rec = stop_logging(ident=role_session(session=f"s{i}", account=acct), at=BASE_TIME + timedelta(minutes=i), recipientAccountId=acct)
        proc.process(rec)
    proc.flush()
    allp = events_page(store)
    assert [e["account"] for e in allp.items] == [DEV, PROD, PROD]
    first = events_page(store, limit=1)
    assert len(events_page(store, limit=5, cursor=first.next_cursor).items) == 2
    dev = events_page(store, accounts=frozenset({DEV}))
    assert [e["account"] for e in dev.items] == [DEV] and PROD not in str(dev.to_dict())
    offenders = repeat_offenders(store)
    assert offenders[0]["detections"] == 2 and PROD in offenders[0]["principal"]
    assert [o["detections"] for o in repeat_offenders(store, accounts=frozenset({DEV}))] == [1]
    assert sum(n for _, n in detections_per_day(store, since=BASE_TIME - timedelta(days=1))) == 3


def test_audit_view_scoped_readers_see_their_own_entries(built: Store) -> None:
    store = built
    audit.record(store.engine, actor="alice", action="attestation.add", subject=f"baseline 6.1 {PROD}")
    audit.record(store.engine, actor="bob", action="suppression.add", subject=f"rule x {DEV}")
    full = audit_view(store, actor="root")
    assert full.ok and [e["actor"] for e in full.items][:2] == ["bob", "alice"]
    bob = audit_view(store, actor="bob", accounts=frozenset({DEV}))
    assert bob.own_only and [e["actor"] for e in bob.items] == ["bob"] and PROD not in str(bob.to_dict())
    page = audit_view(store, actor="root", limit=1)
    assert page.next_cursor and audit_view(store, actor="root", limit=1, cursor=page.next_cursor).items[0]["seq"] < page.items[0]["seq"]
