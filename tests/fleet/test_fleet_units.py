"""The planner, the shard message, the bucket's waiting and the throttle counter, without any service."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.collect.aws.session import AwsTarget
from mamori.errors import InputError
from mamori.fleet.limits import CallHooks, Limits, TokenBuckets
from mamori.fleet.plan import Resolved, Shard, plan_shards


def _resolved(account: str, regions: tuple[str, ...], arn: str | None = None) -> Resolved:
    return Resolved(AwsTarget(role_arn=arn, endpoint_url="http://127.0.0.1:5000"), account, regions, {"sts.GetCallerIdentity": 1})


def test_a_global_shard_and_one_per_region_for_every_account() -> None:
    shards = plan_shards("f1", [_resolved("111", ("eu-west-1", "us-east-1")), _resolved("222", ("us-east-1",))])
    assert [s.id for s in shards] == ["111/global", "111/eu-west-1", "111/us-east-1", "222/global", "222/us-east-1"]
    # every shard knows all regions of its account (global collectors cover them)
    assert all(s.target.regions == ("eu-west-1", "us-east-1") for s in shards[:3])
    assert shards[0].is_global and not shards[1].is_global


def test_an_account_named_twice_is_planned_once() -> None:
    shards = plan_shards("f1", [_resolved("111", ("us-east-1",)), _resolved("111", ("us-east-1",), "arn:x")])
    assert [s.id for s in shards] == ["111/global", "111/us-east-1"]


def test_a_shard_survives_its_message() -> None:
    s = plan_shards("f1", [_resolved("111", ("us-east-1",), "arn:aws:iam::111:role/r")])[1]
    assert Shard.from_dict(s.to_dict()) == s


@given(st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.text(max_size=10)), max_size=5))
def test_a_malformed_shard_message_is_an_input_error(data: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        Shard.from_dict(data)


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError):
        Limits(rate=0)
    with pytest.raises(ValueError):
        Limits(account_cap=0)


class FakeRedis:
    """The take script in Python (same arithmetic as the Lua) on a fake clock."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[float, float]] = {}

    def register_script(self, _src: str) -> Any:
        def take(keys: list[str], args: list[Any]) -> list[int]:
            rate, burst, now, want = (float(a) for a in args)
            tokens, ts = self.buckets.get(keys[0], (burst, now))
            if now > ts:
                tokens, ts = min(burst, tokens + (now - ts) * rate), now
            if tokens >= want:
                self.buckets[keys[0]] = (tokens - want, ts)
                return [1, 0]
            self.buckets[keys[0]] = (tokens, ts)
            return [0, int(-(-(want - tokens) / rate * 1000 // 1))]

        return take


def test_the_bucket_grants_the_burst_then_waits_for_the_rate() -> None:
    clock = [1000.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        clock[0] += s

    b = TokenBuckets(FakeRedis(), Limits(rate=10, burst=5), clock=lambda: clock[0], sleep=sleep)
    for _ in range(5):
        b.take("111:us-east-1:ec2")
    assert slept == []
    for _ in range(10):
        b.take("111:us-east-1:ec2")
    # 10 more tokens at 10/s: about one second of waiting, in steps of ~0.1 s
    assert 0.9 <= sum(slept) <= 1.1
    b.take("111:eu-west-1:ec2")  # another bucket is full
    assert 0.9 <= sum(slept) <= 1.1


class _Op:
    def __init__(self, service: str, name: str) -> None:
        self.name = name
        self.service_model = type("SM", (), {"service_name": service})()


def test_throttles_are_counted_per_api() -> None:
    h = CallHooks("111", None, latency_ms=0)
    op = _Op("ec2", "DescribeInstances")
    h.needs_retry(response=(None, {"Error": {"Code": "RequestLimitExceeded"}}), operation=op)
    h.needs_retry(response=(None, {"Error": {"Code": "Throttling"}}), operation=op)
    h.needs_retry(response=(None, {"Error": {"Code": "AccessDenied"}}), operation=op)
    h.needs_retry(response=None, operation=op)
    assert h.counts() == {"ec2.DescribeInstances": 2}


def test_the_schedules_become_beat_entries() -> None:
    from mamori.config import Config
    from mamori.config.schedules import Job, ScanJob, SchedulesConfig
    from mamori.fleet.app import JOB_TASK, beat_schedule

    cfg = Config(schedules=SchedulesConfig(scan=ScanJob(every="6h"), notify=Job(every="15m")))
    entries = beat_schedule(cfg, "q1")
    assert entries == {
        "mamori-scan": {"task": JOB_TASK, "schedule": 21600.0, "args": ["scan"], "options": {"queue": "q1"}},
        "mamori-notify": {"task": JOB_TASK, "schedule": 900.0, "args": ["notify"], "options": {"queue": "q1"}},
    }
    assert beat_schedule(Config(), "q1") == {}


def test_the_celery_app_has_the_delivery_settings() -> None:
    from mamori.fleet.app import HARD_TIME_LIMIT_S, SHARD_TASK, VISIBILITY_TIMEOUT_S, make_app

    app = make_app("memory://")
    c = app.conf
    assert c.task_acks_late and c.task_reject_on_worker_lost and c.worker_prefetch_multiplier == 1
    assert c.task_time_limit == HARD_TIME_LIMIT_S < 1800  # RabbitMQ's consumer_timeout: 30 min
    assert c.task_soft_time_limit < c.task_time_limit < VISIBILITY_TIMEOUT_S
    assert SHARD_TASK in app.tasks


def test_the_table_output_says_shards_failures_and_throttles(capsys: pytest.CaptureFixture[str]) -> None:
    from mamori.cli.scan import report
    from mamori.model import Inventory
    from mamori.rules import RuleSet
    from mamori.scan.service import run_scan

    outcome = run_scan(Inventory(), RuleSet([]))
    facts = {"shards": 18, "failed_shards": ["111/us-east-1"], "redelivered": {"111/global": 1},
             "throttles": {"ec2.DescribeInstances": 3, "iam.ListUsers": 1}, "calls_by_api": {}}  # fmt: skip
    report(outcome, [], "table", 10, fleet=facts)
    out = capsys.readouterr().out
    assert "distributed: 18 shards, 1 failed (UNKNOWN), 1 redelivered; 4 throttled call(s)" in out
    assert "ec2.DescribeInstances 3" in out


def test_targets_are_resolved_concurrently_in_order_and_the_first_failure_is_raised() -> None:
    import threading
    import time

    from mamori.fleet.service import resolve_all

    targets = [AwsTarget(role_arn=f"arn:aws:iam::{i:012d}:role/r") for i in range(6)]
    running, peak, lock = [0], [0], threading.Lock()

    def resolver(t: AwsTarget) -> Resolved:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05 * (6 - int(t.role_arn.split(":")[4])))  # the last ones finish first
        with lock:
            running[0] -= 1
        return Resolved(t, t.role_arn.split(":")[4], ("us-east-1",), {})

    assert [r.target for r in resolve_all(targets, resolver)] == targets
    assert peak[0] > 1

    def failing(t: AwsTarget) -> Resolved:
        if t.role_arn and t.role_arn.endswith("000000000004:role/r"):
            raise InputError("no 4")
        if t.role_arn and t.role_arn.endswith("000000000005:role/r"):
            raise InputError("no 5")
        return resolver(t)

    with pytest.raises(InputError, match="no 4"):
        resolve_all(targets, failing)


def test_a_warm_worker_loads_rules_and_models_then_freezes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker loads before its pool forks is moved out of the collector's sight."""
    import gc

    import mamori.collect.aws.runner as runner
    from mamori.fleet.app import make_app

    warmed: list[bool] = []
    monkeypatch.setattr(runner, "warm_collectors", lambda: warmed.append(True))
    gc.unfreeze()
    try:
        make_app("memory://", warm=False)
        assert gc.get_freeze_count() == 0 and not warmed
        make_app("memory://", warm=True)
        assert warmed == [True] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_planner_reads_a_roles_account_from_its_arn_and_assumes_each_role_from_one_base_session() -> None:
    from mamori.fleet.plan import planner

    from ..collect.isolated import isolated_aws

    with isolated_aws():
        arns = [f"arn:aws:iam::{a}:role/audit" for a in ("111111111111", "222222222222")]
        resolved = [planner()(AwsTarget(role_arn=arn, regions=("us-east-1",))) for arn in arns]
        assert [r.account for r in resolved] == ["111111111111", "222222222222"]
        assert all("sts.GetCallerIdentity" not in r.calls for r in resolved), "the ARN names the account"
        resolve = planner()
        assert [resolve(AwsTarget(role_arn=arn, regions=("us-east-1",))).account for arn in arns] == ["111111111111", "222222222222"]
        own = resolve(AwsTarget(regions=("us-east-1",)))
        assert own.account == "123456789012" and own.calls.get("sts.GetCallerIdentity") == 1, "no role: STS says"


def test_a_worker_reads_a_scans_plan_once_and_its_state_for_every_shard(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.fleet import app as fleet_app
    from mamori.fleetstore import ops

    proc = fleet_app._Process(fleet_app.WorkerSettings(db=f"sqlite:///{tmp_path / 'w.db'}"))
    e = proc.store.engine
    assert proc.plan("nope") is None
    ops.create_scan(e, "f1", {"rules": ["r1"], "accounts": ["111"]}, 1)
    reads: list[str] = []
    real = ops.get_scan
    monkeypatch.setattr(ops, "get_scan", lambda engine, fid: reads.append(fid) or real(engine, fid))
    assert proc.plan("f1") == {"rules": ["r1"], "accounts": ["111"]}
    assert proc.plan("f1") == {"rules": ["r1"], "accounts": ["111"]}
    assert reads == ["f1"], "the plan is read once; only the state is read for every shard"
    with e.begin() as conn:  # the scan ends (recorded, or failed): a late shard finds it is no longer running
        conn.execute(ops.fleet_scans.update().where(ops.fleet_scans.c.id == "f1").values(state=ops.DONE))
    assert proc.plan("f1") is None
    for i in range(fleet_app.PLANS_KEPT + 2):  # only the last scans' plans are kept
        ops.create_scan(e, f"g{i}", {"i": i}, 1)
        assert proc.plan(f"g{i}") == {"i": i}
    assert len(proc._plans) == fleet_app.PLANS_KEPT and "g0" not in proc._plans
