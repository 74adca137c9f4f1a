"""A finaliser interrupted at each of its steps (as by SIGKILL: no clean-up) leaves the scan `finalising`
under a lease; once the lease lapses the next finaliser takes over, and the store ends exactly as after
an uninterrupted run: one recorded scan, the lifecycle applied once, the same findings and history."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import func, select

from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_ACCOUNTS, DEMO_REGIONS, SeedEnv, fake_credentials, role_arn, seed_estate
from mamori.findings import Store
from mamori.findings.tables import finding_history, findings, scans
from mamori.fleet import service
from mamori.fleet.plan import Resolved
from mamori.fleetstore import ops
from mamori.rules import load_rules
from mamori.standards.tables import coverage, rule_counts

RULES = load_rules()
Payloads = dict[str, dict[str, Any]]


class Killed(BaseException):
    """Not an Exception: the finaliser's error handling does not see it, as it would not see SIGKILL."""


@pytest.fixture(scope="module")
def estate() -> Iterator[tuple[list[AwsTarget], Payloads, Payloads]]:
    """The demo estate's shard payloads, and the same with one shard's failures fixed (so the second scan resolves)."""
    with fake_credentials(), mock_aws():
        seed_estate(SeedEnv(session=boto3.Session(region_name=DEMO_REGIONS[0]), endpoint_url=None))
        targets = [AwsTarget(role_arn=role_arn(a), regions=DEMO_REGIONS) for a in DEMO_ACCOUNTS.values()]
        scratch = Store.open("sqlite://")
        out = service.run_inline(scratch, targets, RULES)
        first = {s: p for s, _, _, p in ops.shard_payloads(scratch.engine, out.scan.id)}
    second = copy.deepcopy(first)
    fixed = next(s for s, p in sorted(second.items()) if any(r["status"] == "FAIL" for r in p["results"]))
    for r in second[fixed]["results"]:
        if r["status"] == "FAIL":
            r["status"] = "PASS"
    yield targets, first, second


def _resolver(t: AwsTarget) -> Resolved:
    return Resolved(t, str(t.role_arn).split(":")[4], tuple(DEMO_REGIONS), {})


def _planned(store: Store, targets: list[AwsTarget], payloads: Payloads) -> str:
    plan = service.start(store, targets, RULES, resolver=_resolver)
    for s in plan.shards:
        service.report(store, plan.fleet_id, s.id, "ok", 1, payloads[s.id])
    return plan.fleet_id


def _state(store: Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        status = dict(conn.execute(select(findings.c.id, findings.c.status)).all())
        hist = Counter((r.finding_id, r.from_status, r.to_status) for r in conn.execute(select(finding_history)))
        n_scans = conn.execute(select(func.count()).select_from(scans)).scalar_one()
        n_cov = conn.execute(select(func.count()).select_from(coverage)).scalar_one()
        n_counts = conn.execute(select(func.count()).select_from(rule_counts)).scalar_one()
    return {"findings": status, "history": hist, "scans": n_scans, "coverage": n_cov, "rule_counts": n_counts}


def _summary(store: Store, fid: str) -> dict[str, list[str]]:
    scan = ops.get_scan(store.engine, fid)
    assert scan is not None and scan.state == ops.DONE and scan.result is not None
    return {k: sorted(v) for k, v in scan.result["summary"].items() if k != "scan_id"}


def _killer(at: str) -> Callable[[str], None]:
    def step(name: str) -> None:
        if name == at:
            raise Killed(at)

    return step


@pytest.mark.parametrize("at", ["claimed", "recorded", "standards", "engaged"])
def test_a_finaliser_killed_at_a_step_is_taken_over_and_records_once(
    estate: tuple[list[AwsTarget], Payloads, Payloads], tmp_path: Path, at: str
) -> None:  # fmt: skip
    targets, first, second = estate
    ref = Store.open(str(tmp_path / "ref.db"))
    service.finalise(ref, _planned(ref, targets, first), RULES)
    ref_fid = _planned(ref, targets, second)
    assert service.finalise(ref, ref_fid, RULES) is not None

    store = Store.open(str(tmp_path / "killed.db"))
    service.finalise(store, _planned(store, targets, first), RULES)
    fid = _planned(store, targets, second)
    with pytest.raises(Killed):
        service.finalise(store, fid, RULES, lease_s=30, step=_killer(at))
    scan = ops.get_scan(store.engine, fid)
    assert scan is not None and scan.state == ops.FINALISING and scan.lease_owner
    assert (scan.scan_id is not None) is (at != "claimed")  # recorded with the lifecycle, in one transaction
    # while the lease runs nobody takes over (the killed one might only be slow) ...
    assert service.finalise(store, fid, RULES) is None
    assert service.recover(store, RULES.select) == []
    # ... once it lapsed, the next scan (or a redelivered finaliser task) does
    later = datetime.now(UTC) + timedelta(seconds=31)
    assert service.recover(store, RULES.select, now=later) == [fid]
    done = ops.get_scan(store.engine, fid)
    assert done is not None and done.result is not None and done.result["took_over"] is True
    assert _summary(store, fid) == _summary(ref, ref_fid)
    assert _summary(store, fid)["resolved"]  # the lifecycle did something, once
    assert _state(store) == _state(ref)
    assert service.recover(store, RULES.select, now=later + timedelta(hours=1)) == []  # done is done


def test_a_scheduled_scan_first_records_an_earlier_one_left_unfinalised(
    estate: tuple[list[AwsTarget], Payloads, Payloads], tmp_path: Path
) -> None:  # fmt: skip
    """Celery beat's scan job rescues a scan no finaliser recorded, as `scan --broker` does."""
    from mamori.config import Config
    from mamori.config.schedules import AwsAccess, SchedulesConfig
    from mamori.fleet.app import SHARD_TASK, distributed_scan_job

    targets, first, _ = estate
    store = Store.open(str(tmp_path / "beat.db"))
    stuck = _planned(store, targets, first)  # every shard reported; the finaliser's message was lost
    sent: list[tuple[str, str]] = []

    class App:
        def send_task(self, name: str, args: list[Any], queue: str) -> None:
            sent.append((name, queue))

    access = AwsAccess(role_arns=[str(t.role_arn) for t in targets], regions=list(DEMO_REGIONS))
    job = distributed_scan_job(App(), lambda: store, Config(schedules=SchedulesConfig(aws=access)), "q1")  # type: ignore[arg-type]
    with fake_credentials(), mock_aws():
        seed_estate(SeedEnv(session=boto3.Session(region_name=DEMO_REGIONS[0]), endpoint_url=None))
        out = job()
    assert out["recovered"] == [stuck]
    recorded = ops.get_scan(store.engine, stuck)
    assert recorded is not None and recorded.state == ops.DONE
    assert out["shards"] == len(sent) > 0 and set(sent) == {(SHARD_TASK, "q1")}
    assert service.recover(store, RULES.select) == [], "recorded once"
