"""The distributed scan's core without Celery: shards of the demo estate, merged, equal a single scan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_ACCOUNTS, DEMO_REGIONS, SeedEnv, fake_credentials, role_arn, seed_estate
from mamori.findings import Store
from mamori.fleet import service
from mamori.fleet.plan import Shard
from mamori.fleet.shard import CONTEXT_TYPES, SHARD_FAILED, failed_payload
from mamori.fleetstore import ops
from mamori.model import ResultStatus
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import CollectRequest, ScanRequest, scan


@pytest.fixture(scope="module")
def estate() -> Iterator[list[AwsTarget]]:
    with fake_credentials(), mock_aws():
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        seed_estate(SeedEnv(session=session, endpoint_url=None))
        yield [AwsTarget(role_arn=role_arn(a), regions=DEMO_REGIONS) for a in DEMO_ACCOUNTS.values()]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def _view(results: list[Any]) -> set[tuple[str, ...]]:
    return {(r.rule_id, r.status.value, r.account, r.region, r.resource_type, r.resource_id) for r in results}


def test_sharded_scan_equals_the_single_process_scan(estate: list[AwsTarget], rules: RuleSet, tmp_path: Path) -> None:
    single_store = Store.open(str(tmp_path / "single.db"))
    single = scan(ScanRequest(CollectRequest(targets=tuple(estate)), rules, single_store))
    fleet_store = Store.open(str(tmp_path / "fleet.db"))
    out = service.run_inline(fleet_store, estate, rules)
    assert out.merged.failed == []
    # every result (so every finding, id, UNKNOWN scope and score) is the single process's
    assert _view(out.merged.evaluation.results) == _view(single.outcome.evaluation.results)
    assert dict(out.merged.evaluation.counts) == dict(single.outcome.evaluation.counts)
    assert out.scores == single.outcome.scores
    assert out.merged.evaluation.rules_evaluated == single.outcome.evaluation.rules_evaluated
    assert len(out.merged.inventory) == len(single.outcome.inventory)
    assert out.merged.inventory.accounts == single.outcome.inventory.accounts
    assert out.merged.inventory.regions == single.outcome.inventory.regions
    assert out.summary is not None and single.outcome.summary is not None
    assert sorted(out.summary.new) == sorted(single.outcome.summary.new)
    assert [c.to_dict() for c in out.coverage] == [c.to_dict() for c in single.outcome.coverage]
    # 2 accounts x (global + 2 regions)
    assert out.scan.shards == len(DEMO_ACCOUNTS) * (1 + len(DEMO_REGIONS))
    assert sum(out.merged.calls.values()) > 0


def test_rules_read_only_context_types(estate: list[AwsTarget], rules: RuleSet, tmp_path: Path) -> None:
    """What rules read of other resources is shipped by every shard (else the finaliser would miss it)."""
    store = Store.open(str(tmp_path / "f.db"))
    out = service.run_inline(store, estate, rules)
    payloads = ops.shard_payloads(store.engine, out.scan.id)
    read = set().union(*(set(p["read_types"]) for _, _, _, p in payloads))
    assert read and read <= CONTEXT_TYPES
    assert any(p["deferred"] for _, _, _, p in payloads)


def test_a_failed_shard_is_unknown_and_resolves_nothing(estate: list[AwsTarget], rules: RuleSet, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "f.db"))
    first = service.run_inline(store, estate, rules)
    assert first.summary is not None and first.summary.new
    broken = f"{next(iter(DEMO_ACCOUNTS.values()))}/{DEMO_REGIONS[0]}"
    from mamori.fleet.shard import run_shard

    def run(s: Shard) -> tuple[str, dict[str, Any]]:
        if s.id == broken:
            return "failed", failed_payload(s, "boom (3 attempts)")
        return "ok", run_shard(s, rules, now=first.scan.started_at)

    # the estate unchanged, one shard failing: its findings are neither resolved nor re-seen
    second = service.run_inline(store, estate, rules, run=run)
    assert second.merged.failed == [broken]
    assert second.summary is not None and second.summary.resolved == []
    acct, region = broken.split("/")
    shard = next(s for s in service.start(store, estate, rules).shards if s.id == broken)
    types = set().union(*(e["resource_types"] for e in failed_payload(shard, "x")["errors"]))
    unknown = [
        r for r in second.merged.evaluation.results
        if r.account == acct and r.region == region and r.resource_type in types
    ]  # fmt: skip
    assert unknown and all(r.status is ResultStatus.UNKNOWN for r in unknown)
    assert any(SHARD_FAILED in r.reason for r in unknown)
    in_scope = [f for f in first.summary.new if f in set(second.summary.kept_unknown)]
    assert in_scope  # the open findings of the failed scope were kept as they were


def test_storing_a_shard_twice_is_harmless(estate: list[AwsTarget], rules: RuleSet, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "f.db"))
    plan = service.start(store, estate[:1], rules)
    from mamori.fleet.shard import run_shard

    s = plan.shards[0]
    payload = run_shard(s, rules, now=plan.started)
    assert not service.report(store, plan.fleet_id, s.id, "ok", 1, payload)
    assert not service.report(store, plan.fleet_id, s.id, "ok", 2, payload)
    assert ops.progress(store.engine, plan.fleet_id).ok == 1
    for other in plan.shards[1:]:
        service.report(store, plan.fleet_id, other.id, "ok", 1, run_shard(other, rules, now=plan.started))
    assert service.finalise(store, plan.fleet_id, rules) is not None
    assert service.finalise(store, plan.fleet_id, rules) is None  # the finaliser runs once
    with store.engine.connect() as conn:
        from sqlalchemy import func, select

        from mamori.findings.tables import scans

        assert conn.execute(select(func.count()).select_from(scans)).scalar_one() == 1
