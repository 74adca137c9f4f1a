"""End to end on the real RabbitMQ and Redis: `mamori worker` processes, `mamori scan --broker`, a moto server."""

from __future__ import annotations

import pytest

from mamori.demo.estate import DEMO_ACCOUNTS, DEMO_REGIONS
from mamori.findings import Store
from mamori.fleetstore import ops
from tests.fleet.conftest import Fleet, same_scan, wait_for, workloads_of

pytestmark = pytest.mark.e2e


def test_two_workers_give_the_single_process_result(fleet: Fleet) -> None:
    single = fleet.run(fleet.scan_cmd(fleet.db("single.db"), broker=False))
    db = fleet.db("fleet.db")
    fleet.start_worker(db)
    fleet.start_worker(db)
    dist = fleet.run(fleet.scan_cmd(db))
    same_scan(single, dist)
    # where images run (the exposure of `mamori gate image`): the single process's rows
    assert workloads_of(db) == workloads_of(fleet.db("single.db")) != []
    assert dist["fleet"]["shards"] == len(DEMO_ACCOUNTS) * (1 + len(DEMO_REGIONS))
    assert dist["fleet"]["failed_shards"] == []
    assert isinstance(dist["fleet"]["throttles"], dict)
    assert dist["scan"]["api_calls"] == sum(dist["fleet"]["calls_by_api"].values()) > 0
    # the same scan again: the lifecycle ran on the merged result (nothing new, all still open)
    again = fleet.run(fleet.scan_cmd(db))
    assert again["changes"]["new"] == [] and len(again["changes"]["still_open"]) == len(dist["findings"])


def test_a_killed_worker_s_shard_is_redelivered(fleet: Fleet) -> None:
    single = fleet.run(fleet.scan_cmd(fleet.db("single.db"), broker=False))
    db = fleet.db("fleet.db")
    slow = {"MAMORI_FLEET_LATENCY_MS": "40"}  # shards take seconds: the kill lands mid-shard
    victim = fleet.start_worker(db, **slow)
    fleet.start_worker(db, **slow)
    import subprocess

    scan = subprocess.Popen(fleet.scan_cmd(db), env=fleet.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=fleet.tmp)  # fmt: skip
    store = Store.open(db)

    def started() -> bool:
        with store.engine.connect() as conn:
            from sqlalchemy import select

            from mamori.fleetstore.tables import fleet_scans

            ids = conn.execute(select(fleet_scans.c.id)).scalars().all()
        return bool(ids) and ops.progress(store.engine, ids[0]).reported >= 1

    wait_for(started, 300, "a first shard")
    fleet.kill(victim)
    out, err = scan.communicate(timeout=900)
    assert scan.returncode == 0, err[-3000:] + fleet.logs()
    import json

    dist = json.loads(out)
    same_scan(single, dist)
    assert dist["fleet"]["failed_shards"] == []
    assert dist["fleet"]["redelivered"], "the killed worker's shard was redelivered by RabbitMQ"


def test_a_shard_that_always_fails_ends_unknown_and_resolves_nothing(fleet: Fleet) -> None:
    db = fleet.db("fleet.db")
    w = fleet.start_worker(db)
    first = fleet.run(fleet.scan_cmd(db))
    assert first["changes"]["new"]
    fleet.kill(w)
    acct = next(iter(DEMO_ACCOUNTS.values()))
    broken = f"{acct}/{DEMO_REGIONS[0]}"
    fleet.start_worker(db, MAMORI_FLEET_FAIL_SHARDS=broken)
    second = fleet.run(fleet.scan_cmd(db))
    assert second["fleet"]["failed_shards"] == [broken]
    assert second["changes"]["resolved"] == []
    failed = [e for e in second["scan"]["errors"] if e["code"] == "ShardFailed"]
    assert failed and {(e["account"], e["region"]) for e in failed} == {(acct, DEMO_REGIONS[0])}
    assert "failed 3 times" in failed[0]["message"]
    # the open findings of that scope stay open (not re-seen, not resolved)
    before = {f["id"] for f in first["findings"] if f["resource"]["account"] == acct and f["resource"]["region"] == DEMO_REGIONS[0]}
    assert before
    store = Store.open(db)
    still = {f.id: f for f in store.findings_by_ids(list(before))}
    assert all(f.status.is_open for f in still.values())


def test_all_workers_killed_and_restarted_the_scan_resumes(fleet: Fleet) -> None:
    import json
    import subprocess

    db = fleet.db("fleet.db")
    slow = {"MAMORI_FLEET_LATENCY_MS": "40"}
    first = [fleet.start_worker(db, **slow), fleet.start_worker(db, **slow)]
    scan = subprocess.Popen(fleet.scan_cmd(db), env=fleet.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=fleet.tmp)  # fmt: skip
    store = Store.open(db)

    def progressed() -> bool:
        from sqlalchemy import select

        from mamori.fleetstore.tables import fleet_scans

        with store.engine.connect() as conn:
            ids = conn.execute(select(fleet_scans.c.id)).scalars().all()
        return bool(ids) and ops.progress(store.engine, ids[0]).reported >= 1

    wait_for(progressed, 300, "a first shard")
    for w in first:
        fleet.kill(w)
    assert scan.poll() is None  # the scan waits; its shards wait in RabbitMQ
    fleet.start_worker(db)
    out, err = scan.communicate(timeout=900)
    assert scan.returncode == 0, err[-3000:] + fleet.logs()
    dist = json.loads(out)
    assert dist["fleet"]["failed_shards"] == [] and dist["fleet"]["redelivered"]
    assert dist["findings"]
