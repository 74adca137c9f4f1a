"""The shard table on SQLite and PostgreSQL: storing a shard twice is one row, the finaliser is claimed once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from mamori.findings import Store
from mamori.fleetstore import ops


@pytest.mark.postgres
def test_store_twice_and_claim_once(store: Store) -> None:
    e = store.engine
    ops.create_scan(e, "f1", {"accounts": ["111"]}, 2)
    ops.store_shard(e, "f1", "111/global", "ok", 1, {"results": [1]})
    ops.store_shard(e, "f1", "111/global", "ok", 2, {"results": [1]})  # redelivered: replaces
    assert ops.progress(e, "f1") == ops.Progress(2, 1, 0)
    assert ops.claim_finalise(e, "f1")  # a claim that crashes gives the scan back
    ops.release_finalise(e, "f1")
    ops.store_shard(e, "f1", "111/us-east-1", "failed", 3, {"errors": []})
    assert ops.progress(e, "f1").complete
    with ThreadPoolExecutor(4) as pool:
        wins = list(pool.map(lambda _: ops.claim_finalise(e, "f1"), range(8)))
    assert wins.count(True) == 1
    rows = ops.shard_payloads(e, "f1")
    assert [(s, st, a) for s, st, a, _ in rows] == [("111/global", "ok", 2), ("111/us-east-1", "failed", 3)]
    ops.finish_scan(e, "f1", state=ops.DONE, scan_id="s1", result={"x": 1})
    got = ops.get_scan(e, "f1")
    assert got is not None and got.state == ops.DONE and got.scan_id == "s1" and got.result == {"x": 1}
