"""Issue 12 item 2: a kill at any point of a replay, then a rerun, gives the uninterrupted run's result.

The detection, its pending responses and its finding commit in one transaction
(:meth:`mamori.events.store.EventStore.claim`), so a rerun that finds the detection
recorded also finds its finding.
"""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from mamori.events import DetectionSet, Matcher
from mamori.events.ledger import MemoryLedger
from mamori.events.processor import Processor
from mamori.events.run import replay
from mamori.events.store import EventStore, HistoryFilter
from mamori.findings import FindingFilter, Store

from .helpers import BASE_TIME, role_session, stop_logging

N = 5_000


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even ``except Exception``)."""


def _archive(tmp: Path, n: int = N) -> Path:
    recs = [
        stop_logging(f"trail-{i}", ident=role_session(session=f"s{i}"), at=BASE_TIME + timedelta(seconds=i))
        for i in range(n)
    ]
    d = tmp / "AWSLogs"
    d.mkdir()
    for k in range(0, n, 500):  # ten files of 500 records
        (d / f"part-{k // 500:02d}.json.gz").write_bytes(
            gzip.compress(orjson.dumps({"Records": recs[k : k + 500]}))
        )
    return d


def _run(url: str, archive: Path, detections: DetectionSet, kill_after: int | None = None, *, memory: bool = False, every: int = 500) -> Any:
    store = Store.open(url)
    try:
        es = EventStore(store.engine)
        if kill_after is not None:
            claims = 0
            real = es.claim

            def claim(*a: Any, **kw: Any) -> Any:
                nonlocal claims
                out = real(*a, **kw)
                claims += 1
                if claims >= kill_after:
                    raise Killed
                return out

            es.claim = claim  # type: ignore[method-assign]
        real_batched = es.batched
        es.batched = lambda every_=every: real_batched(every_)  # type: ignore[method-assign,misc]
        ledger: Any = MemoryLedger() if memory else es
        proc = Processor(Matcher(detections), ledger=ledger, store=store, allow_act=False)
        return replay([archive], proc)
    finally:
        store.close()


def _detections(url: str) -> int:
    store = Store.open(url)
    try:
        return len(EventStore(store.engine).history(HistoryFilter(limit=None)))
    finally:
        store.close()


def _findings(url: str) -> list[tuple[Any, ...]]:
    store = Store.open(url)
    try:
        return sorted(
            (f.id, f.first_seen, f.last_seen, f.status, f.resource_id, orjson.dumps(f.evidence, option=orjson.OPT_SORT_KEYS))
            for f in store.findings(FindingFilter(rules=("cloudtrail_stop_logging",)))
        )
    finally:
        store.close()


def _kill_and_rerun(tmp: Path, url: str, archive: Path, detections: DetectionSet, kill_at: int, every: int) -> int:
    with pytest.raises(Killed):
        _run(url, archive, detections, kill_after=kill_at, every=every)
    recorded = _detections(url)
    assert recorded <= kill_at and len(_findings(url)) == recorded  # committed together, or not at all
    rep = _run(url, archive, detections, every=every)
    assert sum(o.duplicate for o in rep.outcomes) == recorded
    return recorded


def test_replay_killed_at_60_percent_then_rerun_gives_all_5000_findings(tmp_path: Path, detections: DetectionSet) -> None:
    archive = _archive(tmp_path)
    clean, killed = f"sqlite:///{tmp_path}/clean.db", f"sqlite:///{tmp_path}/killed.db"
    _run(clean, archive, detections, memory=True)  # the uninterrupted run (findings written once, at the end)
    assert _kill_and_rerun(tmp_path, killed, archive, detections, kill_at=3_000, every=500) == 3_000
    got = _findings(killed)
    assert len(got) == N
    assert got == _findings(clean)


@pytest.mark.parametrize("kill_at", [1, 24, 25, 26, 119])
def test_a_kill_at_any_point_loses_nothing(tmp_path: Path, detections: DetectionSet, kill_at: int) -> None:
    archive = _archive(tmp_path, 120)
    clean, killed = f"sqlite:///{tmp_path}/clean.db", f"sqlite:///{tmp_path}/killed.db"
    _run(clean, archive, detections)
    _kill_and_rerun(tmp_path, killed, archive, detections, kill_at=kill_at, every=25)
    assert _findings(killed) == _findings(clean) and len(_findings(clean)) == 120


def test_watch_style_claims_commit_their_finding_at_once(tmp_path: Path, detections: DetectionSet) -> None:
    """Without a batch (events watch), each claim commits its detection and its finding together."""
    store = Store.open(f"sqlite:///{tmp_path}/w.db")
    try:
        es = EventStore(store.engine)
        proc = Processor(Matcher(detections), ledger=es, store=store, allow_act=False)
        proc.process(stop_logging("t1", at=BASE_TIME))
        assert len(store.findings(FindingFilter(rules=("cloudtrail_stop_logging",)))) == 1  # before any flush
    finally:
        store.close()


def test_killed_replay_on_postgresql(pg_url: str, tmp_path: Path, detections: DetectionSet) -> None:
    archive = _archive(tmp_path, 300)
    _kill_and_rerun(tmp_path, pg_url, archive, detections, kill_at=180, every=50)
    assert len(_findings(pg_url)) == 300
