"""The shard table on SQLite and PostgreSQL: storing a shard twice is one row; the finaliser's lease is
held by one at a time, lapses when its holder stops renewing, and fences the recording."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from mamori.findings import Store
from mamori.fleetstore import ops
from mamori.store.db import write_transaction


@pytest.mark.postgres
def test_store_twice_and_claim_once(store: Store) -> None:
    e = store.engine
    assert ops.scan_state(e, "f1") is None
    ops.create_scan(e, "f1", {"accounts": ["111"]}, 2)
    assert ops.scan_state(e, "f1") == ops.RUNNING
    ops.store_shard(e, "f1", "111/global", "ok", 1, {"results": [1]})
    ops.store_shard(e, "f1", "111/global", "ok", 2, {"results": [1]})  # redelivered: replaces
    assert ops.progress(e, "f1") == ops.Progress(2, 1, 0)
    assert ops.claim_finalise(e, "f1", "a", ttl_s=60)  # a claim that fails with an error gives the lease back
    ops.release_finalise(e, "f1", "a")
    ops.store_shard(e, "f1", "111/us-east-1", "failed", 3, {"errors": []})
    assert ops.progress(e, "f1").complete
    with ThreadPoolExecutor(4) as pool:
        wins = list(pool.map(lambda i: ops.claim_finalise(e, "f1", f"w{i}", ttl_s=60), range(8)))
    assert wins.count(True) == 1
    rows = ops.shard_payloads(e, "f1")
    assert [(s, st, a) for s, st, a, _ in rows] == [("111/global", "ok", 2), ("111/us-east-1", "failed", 3)]
    holder = f"w{wins.index(True)}"
    assert not ops.finish_scan(e, "f1", state=ops.DONE, scan_id="s1", result={"x": 1}, owner="not-the-holder")
    assert ops.finish_scan(e, "f1", state=ops.DONE, scan_id="s1", result={"x": 1}, owner=holder)
    got = ops.get_scan(e, "f1")
    assert got is not None and got.state == ops.DONE and got.scan_id == "s1" and got.result == {"x": 1}
    assert ops.scan_state(e, "f1") == ops.DONE
    assert got.lease_owner is None and not ops.claim_finalise(e, "f1", "late", ttl_s=60)


@pytest.mark.postgres
def test_a_lapsed_lease_is_taken_over_and_fences_the_old_holder(store: Store) -> None:
    e = store.engine
    t0 = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    ops.create_scan(e, "f2", {"accounts": ["111"]}, 1)
    ops.store_shard(e, "f2", "111/global", "ok", 1, {})
    assert ops.claim_finalise(e, "f2", "dead", ttl_s=30, now=t0)  # this finaliser is killed mid-record
    assert ops.unfinished(e, now=t0 + timedelta(seconds=10)) == []
    assert not ops.claim_finalise(e, "f2", "early", ttl_s=30, now=t0 + timedelta(seconds=10))  # lease still held
    assert ops.renew_lease(e, "f2", "dead", ttl_s=30, now=t0 + timedelta(seconds=20))  # a heartbeat: until t0+50
    assert not ops.claim_finalise(e, "f2", "early", ttl_s=30, now=t0 + timedelta(seconds=45))
    lapsed = t0 + timedelta(seconds=51)
    assert ops.unfinished(e, now=lapsed) == ["f2"]
    assert ops.claim_finalise(e, "f2", "next", ttl_s=30, now=lapsed)
    assert not ops.renew_lease(e, "f2", "dead", ttl_s=30)  # the old holder lost it
    with pytest.raises(ops.LeaseLost), write_transaction(e) as conn:
        ops.mark_recorded(conn, "f2", "dead", "scan-of-dead", {"scan_id": "scan-of-dead"})
    with write_transaction(e) as conn:
        ops.mark_recorded(conn, "f2", "next", "scan-1", {"scan_id": "scan-1"})
    with pytest.raises(ops.LeaseLost), write_transaction(e) as conn:  # recorded once, whoever comes next
        ops.mark_recorded(conn, "f2", "next", "scan-2", {"scan_id": "scan-2"})
    got = ops.get_scan(e, "f2")
    assert got is not None and got.scan_id == "scan-1" and got.result == {"summary": {"scan_id": "scan-1"}}
    assert got.state == ops.FINALISING and got.lease_owner == "next"


def test_the_heartbeat_renews_the_lease_while_the_finaliser_works(tmp_path: object) -> None:
    import time

    from mamori.fleet.service import _Heartbeat

    store = Store.open(f"sqlite:///{tmp_path}/h.db")
    ops.create_scan(store.engine, "f3", {}, 1)
    assert ops.claim_finalise(store.engine, "f3", "me", ttl_s=1.5)
    first = ops.get_scan(store.engine, "f3")
    with _Heartbeat(store, "f3", "me", 1.5):
        time.sleep(2.0)  # longer than the lease: renewed every 0.5 s meanwhile
    later = ops.get_scan(store.engine, "f3")
    assert first is not None and later is not None and first.lease_until and later.lease_until
    assert later.lease_until > first.lease_until and not later.lease_lapsed(datetime.now(UTC))
