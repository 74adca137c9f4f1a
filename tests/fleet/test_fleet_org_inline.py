"""`scan --org --broker`'s organization-level rules without Celery: the shards keep their GuardDuty/Config
facts, the finaliser evaluates the org rules from them and the data read when planning, and the result
is the single-machine `scan --org`'s (moto in-process, two regions, one member uncovered in one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from mamori.collect.aws import org_checks
from mamori.collect.aws.org import list_org_accounts
from mamori.collect.aws.session import AwsTarget
from mamori.findings import Store
from mamori.fleet import service
from mamori.model.resources.organizations import ORGANIZATION
from mamori.rules import load_rules
from mamori.scan.org import OrgScanRequest, org_plan_facts, scan_org

from ..collect.isolated import isolated_aws
from ..scan.orgutil import REGION, BuiltOrg, build_org, member_session

REGIONS = (REGION, "eu-west-1")
SERVICES = ("s3", "ec2", "iam", "guardduty", "config", "cloudtrail")
BASE = AwsTarget(regions=REGIONS, workers=4)
RULES = load_rules()


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[boto3.Session, BuiltOrg]]:
    with isolated_aws():
        sess = boto3.Session(region_name=REGION)
        o = build_org(sess, members=2, regions=REGIONS)
        security = o.members[0]
        oc = sess.client("organizations", region_name=REGION)
        for principal in ("guardduty.amazonaws.com", "config-multiaccountsetup.amazonaws.com"):
            oc.register_delegated_administrator(AccountId=security, ServicePrincipal=principal)
        sess.client("s3", region_name=REGION).create_bucket(Bucket="org-trail-logs")
        sess.client("cloudtrail", region_name=REGION).create_trail(
            Name="org-trail", S3BucketName="org-trail-logs", IsOrganizationTrail=True, IsMultiRegionTrail=True
        )
        for acct in (o.management, *o.members):
            s = sess if acct == o.management else member_session(sess, acct)
            for region in REGIONS:
                if acct == o.members[1] and region != REGION:
                    continue  # this member has no detector in the second region: not covered
                s.client("guardduty", region_name=region).create_detector(Enable=True)
        # moto's GetAdministratorAccount body does not parse (see tests/scan/test_org_scan.py): answer as AWS would
        monkeypatch.setattr(org_checks, "_gd_admin", lambda client, region, detector: security)
        yield sess, o


def _view(results: list[Any]) -> set[tuple[str, ...]]:
    return {(r.rule_id, r.status.value, r.account, r.region, r.resource_type, r.resource_id, repr(sorted(r.evidence.items())))
            for r in results}  # fmt: skip


def test_org_rules_on_shards_equal_the_single_machine_scan(org: tuple[boto3.Session, BuiltOrg], tmp_path: Path) -> None:
    sess, o = org
    plan = list_org_accounts(sess, base=BASE)
    single = scan_org(OrgScanRequest(plan, RULES, session=sess, services=SERVICES, store=Store.open(str(tmp_path / "s.db"))))
    facts = org_plan_facts(plan, RULES, sess)
    assert facts["checks"] and facts["data"]["delegated_admins"]["guardduty"] == [o.members[0]]
    out = service.run_inline(Store.open(str(tmp_path / "f.db")), plan.targets, RULES, services=SERVICES, org=facts)

    ev, ref = out.merged.evaluation, single.outcome.evaluation
    org_results = {r.rule_id: r.status.value for r in ev.results if r.resource_type == ORGANIZATION}
    assert org_results == {r.rule_id: r.status.value for r in ref.results if r.resource_type == ORGANIZATION}
    assert org_results["organizations_trail_missing"] == "PASS"
    assert org_results["organizations_guardduty_not_covering_accounts"] == "FAIL"  # member 1, second region
    [res] = [r for r in out.merged.inventory if r.type == ORGANIZATION]
    assert res.properties["guardduty_uncovered_accounts"] == [o.members[1]]
    # every result, finding id, score, UNKNOWN scope and count: the single machine's
    assert _view(ev.results) == _view(ref.results)
    assert ev.rules_evaluated == ref.rules_evaluated and dict(ev.counts) == dict(ref.counts)
    assert out.scores == single.outcome.scores
    assert len(out.merged.inventory) == len(single.outcome.inventory)
    assert sorted(repr(e.to_dict()) for e in out.merged.inventory.errors) == sorted(
        repr(e.to_dict()) for e in single.outcome.inventory.errors
    )
    assert out.summary is not None and single.outcome.summary is not None
    assert sorted(out.summary.new) == sorted(single.outcome.summary.new)
    assert [c.to_dict() for c in out.coverage] == [c.to_dict() for c in single.outcome.coverage]


def test_a_filtered_org_scan_on_shards_judges_no_organization(org: tuple[boto3.Session, BuiltOrg], tmp_path: Path) -> None:
    sess, o = org
    plan = list_org_accounts(sess, base=BASE, accounts=[o.members[0]])
    facts = org_plan_facts(plan, RULES, sess)
    assert not facts["checks"] and facts["data"] is None
    out = service.run_inline(Store.open(str(tmp_path / "f.db")), plan.targets, RULES, services=SERVICES, org=facts)
    assert not [r for r in out.merged.evaluation.results if r.resource_type == ORGANIZATION]


def test_a_failed_regional_shard_leaves_org_coverage_unknown(org: tuple[boto3.Session, BuiltOrg], tmp_path: Path) -> None:
    sess, o = org
    plan = list_org_accounts(sess, base=BASE)
    facts = org_plan_facts(plan, RULES, sess)
    from mamori.fleet.plan import Shard
    from mamori.fleet.shard import failed_payload, run_shard

    broken = f"{o.members[0]}/{REGIONS[1]}"

    def run(s: Shard) -> tuple[str, dict[str, Any]]:
        if s.id == broken:
            return "failed", failed_payload(s, "boom", SERVICES)
        return "ok", run_shard(s, RULES, now=datetime.now(UTC), services=SERVICES, facts=True)

    out = service.run_inline(Store.open(str(tmp_path / "f.db")), plan.targets, RULES, services=SERVICES, org=facts, run=run)
    got = {r.rule_id: r.status.value for r in out.merged.evaluation.results if r.resource_type == ORGANIZATION}
    assert got["organizations_guardduty_not_covering_accounts"] == "UNKNOWN"  # never PASS on a scope not read
    assert got["organizations_trail_missing"] == "PASS"
