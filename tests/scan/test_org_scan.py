"""`scan --org` in-process against moto: the listing and its filters, streaming equality with a merged
--role-arn scan, the lifecycle over accounts (UNKNOWN kept, "account removed"), the org checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from sqlalchemy import select

from mamori.collect.aws import org_checks
from mamori.collect.aws.multi import collect_accounts
from mamori.collect.aws.org import list_org_accounts
from mamori.collect.aws.session import AwsTarget
from mamori.errors import CollectionError, ScopeError
from mamori.findings import Store
from mamori.findings.tables import finding_history
from mamori.model.finding import FindingStatus, ResultStatus
from mamori.model.resources.organizations import ORGANIZATION
from mamori.rules import RuleSet, load_rules
from mamori.scan import org as org_scan
from mamori.scan.org import OrgScanRequest, scan_org
from mamori.scan.service import run_scan

from ..collect.isolated import isolated_aws
from .orgutil import REGION, BuiltOrg, build_org, member_session

SERVICES = ("s3", "ec2", "iam", "guardduty", "config", "cloudtrail")
BASE = AwsTarget(regions=(REGION,), workers=4)
ALL_RULES = load_rules()
ORG_RULES = RuleSet(r for r in ALL_RULES if r.spec.resource_type == ORGANIZATION)


@pytest.fixture
def org() -> Iterator[tuple[boto3.Session, BuiltOrg]]:
    with isolated_aws():
        sess = boto3.Session(region_name=REGION)
        yield sess, build_org(sess, members=3)


def plan_for(sess: boto3.Session, **kw: object) -> org_scan.OrgPlan:
    return list_org_accounts(sess, base=BASE, **kw)  # type: ignore[arg-type]


def test_listing_skips_the_suspended_account_and_puts_the_caller_first(org: tuple[boto3.Session, BuiltOrg]) -> None:
    sess, o = org
    plan = plan_for(sess)
    assert plan.caller_account_id == o.management == plan.management_account_id
    assert plan.organization_id.startswith("o-")
    assert plan.targets[0].role_arn is None  # the caller's own account, directly
    assert sorted(plan.target_accounts) == sorted([o.management, *o.members])
    assert [t.role_arn for t in plan.targets[1:]] == [
        f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole" for a in sorted(o.members)
    ]
    [skip] = plan.skipped
    assert (skip.id, skip.status, skip.name) == (o.suspended, "SUSPENDED", o.names[o.suspended])
    assert "SUSPENDED" in skip.reason
    assert set(plan.org_account_ids) == {o.management, o.suspended, *o.members} and not plan.filtered
    assert o.suspended not in plan.active_account_ids
    assert all(t.regions == (REGION,) and t.workers == 4 for t in plan.targets)


def test_filters_accounts_exclude_and_ou(org: tuple[boto3.Session, BuiltOrg]) -> None:
    sess, o = org
    one = plan_for(sess, accounts=[o.members[1]], role_name="audit", external_id="xyz")
    assert one.target_accounts == [o.members[1]] and one.filtered
    assert one.targets[0].role_arn == f"arn:aws:iam::{o.members[1]}:role/audit" and one.targets[0].external_id == "xyz"
    assert one.org_account_ids == plan_for(sess).org_account_ids  # the whole org, whatever the filter
    excl = plan_for(sess, exclude_accounts=[f"{o.members[0]},{o.management}"])
    assert sorted(excl.target_accounts) == sorted(o.members[1:])
    assert {s.id for s in excl.skipped} == {o.members[0], o.management, o.suspended}
    by_ou = plan_for(sess, ous=[o.ou])
    assert sorted(by_ou.target_accounts) == sorted(o.in_ou)
    gone = plan_for(sess, accounts=["999999999999"])
    assert gone.targets == [] and gone.skipped[0].reason == "not in the organization"
    with pytest.raises(ScopeError, match="12-digit"):
        plan_for(sess, accounts=["12345"])
    with pytest.raises(ScopeError, match="organizational unit"):
        plan_for(sess, ous=["workloads"])
    with pytest.raises(ScopeError, match="role name"):
        plan_for(sess, role_name="a b")


def test_listing_from_an_account_that_cannot_list_the_org() -> None:
    with isolated_aws(), pytest.raises(CollectionError, match="management account or a delegated"):
        plan_for(boto3.Session(region_name=REGION))  # an account in no organization


def _fails(results: list[object]) -> set[tuple[str, str]]:
    return {(r.finding_id, r.status.value) for r in results if r.resource_type != ORGANIZATION}  # type: ignore[attr-defined]


def test_streamed_org_scan_equals_a_merged_role_arn_scan(org: tuple[boto3.Session, BuiltOrg]) -> None:
    sess, o = org
    plan = plan_for(sess)
    merged = collect_accounts(plan.targets, services=SERVICES)
    want = run_scan(merged.inventory, ALL_RULES)
    got = scan_org(OrgScanRequest(plan, ALL_RULES, session=sess, services=SERVICES))
    assert _fails(got.outcome.evaluation.results) == _fails(want.evaluation.results)
    assert len(got.outcome.inventory) == len(merged.inventory) + 1  # + the organization
    assert got.outcome.inventory.accounts == sorted({*merged.inventory.accounts})
    # the planted violations of every member are found
    ssh = {f.account for f in got.findings if f.rule_id == "ec2_security_group_admin_port_open_ipv4"}
    assert set(o.members) <= ssh
    # only tagged resources are kept in memory; the counts are the full ones
    assert len(list(got.outcome.inventory)) < len(got.outcome.inventory)
    assert sum(p.resources for p in got.parts) == len(merged.inventory)
    assert got.api_calls > 0 and all(sum(p.calls.values()) > 0 for p in got.parts)


def test_lifecycle_once_over_accounts_unknown_kept_and_account_removed(
    org: tuple[boto3.Session, BuiltOrg], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sess, o = org
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}")
    first = scan_org(OrgScanRequest(plan_for(sess), ALL_RULES, session=sess, store=store, services=SERVICES))
    assert first.outcome.summary is not None and first.outcome.summary.new and not first.removed
    by_account = {a: {f.id for f in first.findings if f.account == a} for a in (o.management, *o.members)}
    assert all(by_account.values())

    # member 0's role cannot be assumed: its findings stay open (UNKNOWN), nothing resolved there
    broken = o.members[0]
    real = org_scan.collect_aws

    def collect(target: AwsTarget, **kw: object) -> object:
        if target.role_arn and f"::{broken}:" in target.role_arn:
            raise CollectionError(f"cannot assume role {target.role_arn}: AccessDenied")
        return real(target, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(org_scan, "collect_aws", collect)
    second = scan_org(OrgScanRequest(plan_for(sess), ALL_RULES, session=sess, store=store, services=SERVICES))
    assert second.failed_accounts.keys() == {broken}
    assert second.outcome.summary is not None and not second.outcome.summary.resolved
    assert {f.id for f in store.findings_by_ids(list(by_account[broken]))} == by_account[broken]
    assert all(f.status.is_open for f in store.findings_by_ids(list(by_account[broken])))
    monkeypatch.setattr(org_scan, "collect_aws", real)

    # member 1 leaves the organization: its open findings are closed as "account removed", not RESOLVED
    left = o.members[1]
    sess.client("organizations", region_name=REGION).remove_account_from_organization(AccountId=left)
    # --accounts: only member 2 scanned; nobody removed, member 0's findings untouched
    only = scan_org(OrgScanRequest(plan_for(sess, accounts=[o.members[2]]), ALL_RULES, session=sess, store=store, services=SERVICES))
    assert not only.removed and only.outcome.summary is not None and not only.outcome.summary.resolved
    assert all(f.status.is_open for f in store.findings_by_ids(list(by_account[left])))
    third = scan_org(OrgScanRequest(plan_for(sess), ALL_RULES, session=sess, store=store, services=SERVICES))
    assert set(third.removed) == {left} and set(third.removed[left]) == by_account[left]
    closed = store.findings_by_ids(list(by_account[left]))
    assert {f.status for f in closed} == {FindingStatus.REMOVED}
    assert third.outcome.summary is not None and not set(third.outcome.summary.resolved) & by_account[left]
    with store.engine.connect() as conn:
        notes = {r.note for r in conn.execute(select(finding_history).where(finding_history.c.to_status == "REMOVED"))}
    assert notes == {f"account removed: {left} left organization {first.plan.organization_id}"}
    # the other accounts keep their open findings
    assert all(f.status.is_open for f in store.findings_by_ids(list(by_account[o.members[2]])))
    store.close()


def _org_results(res: org_scan.OrgScanResult) -> dict[str, str]:
    return {r.rule_id: r.status.value for r in res.outcome.evaluation.results if r.resource_type == ORGANIZATION}


def test_org_checks_fail_on_a_bare_organization(org: tuple[boto3.Session, BuiltOrg]) -> None:
    sess, o = org
    org_client = sess.client("organizations", region_name=REGION)
    org_client.register_delegated_administrator(AccountId=o.members[0], ServicePrincipal="guardduty.amazonaws.com")
    org_client.register_delegated_administrator(AccountId=o.members[1], ServicePrincipal="config-multiaccountsetup.amazonaws.com")
    res = scan_org(OrgScanRequest(plan_for(sess), ALL_RULES, session=sess, services=SERVICES))
    assert _org_results(res) == {
        "organizations_security_services_delegated_admin": "FAIL",  # GuardDuty and Config have different administrators
        "organizations_trail_missing": "FAIL",
        "organizations_guardduty_not_covering_accounts": "FAIL",  # no detector anywhere
        "organizations_config_not_covering_accounts": "FAIL",  # no aggregator, no recorder
    }
    [org_res] = [r for r in res.outcome.inventory if r.type == ORGANIZATION]
    assert sorted(org_res.properties["guardduty_uncovered_accounts"]) == sorted([o.management, *o.members])
    assert org_res.properties["security_admins_consistent"] is False
    # a filtered scan does not judge the organization as a whole
    assert _org_results(scan_org(OrgScanRequest(plan_for(sess, accounts=[o.members[0]]), ALL_RULES, session=sess, services=SERVICES))) == {}


def test_org_checks_pass_on_a_covered_organization(org: tuple[boto3.Session, BuiltOrg], monkeypatch: pytest.MonkeyPatch) -> None:
    sess, o = org
    security = o.members[0]
    org_client = sess.client("organizations", region_name=REGION)
    for principal in ("guardduty.amazonaws.com", "config-multiaccountsetup.amazonaws.com"):
        org_client.register_delegated_administrator(AccountId=security, ServicePrincipal=principal)
    sess.client("s3", region_name=REGION).create_bucket(Bucket="org-trail-logs")
    sess.client("cloudtrail", region_name=REGION).create_trail(Name="org-trail", S3BucketName="org-trail-logs", IsOrganizationTrail=True, IsMultiRegionTrail=True)
    for acct in (o.management, *o.members):
        s = sess if acct == o.management else member_session(sess, acct)
        s.client("guardduty", region_name=REGION).create_detector(Enable=True)
        cfg = s.client("config", region_name=REGION)
        cfg.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{acct}:role/config", "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
        s.client("s3", region_name=REGION).create_bucket(Bucket=f"config-{acct}")
        cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": f"config-{acct}"})
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    member_session(sess, security).client("config", region_name=REGION).put_configuration_aggregator(
        ConfigurationAggregatorName="org",
        OrganizationAggregationSource={"RoleArn": f"arn:aws:iam::{security}:role/aggregator", "AllAwsRegions": True},
    )
    # moto answers GetAdministratorAccount with a body botocore cannot parse ("Administrator" for
    # "administrator"): every member reads as having no administrator. Answer as AWS would.

    calls: list[str] = []
    monkeypatch.setattr(org_checks, "_gd_admin", lambda client, region, detector: calls.append(detector) or security)
    res = scan_org(OrgScanRequest(plan_for(sess), ALL_RULES, session=sess, services=SERVICES))
    assert len(calls) == 1 + len(o.members)  # one call per enabled detector
    got = _org_results(res)
    assert got["organizations_trail_missing"] == "PASS"
    assert got["organizations_guardduty_not_covering_accounts"] == "PASS"
    assert got["organizations_config_not_covering_accounts"] == "PASS"
    # moto does not recognise Security Hub's and Detective's service principals: UNKNOWN, never PASS
    assert got["organizations_security_services_delegated_admin"] == "UNKNOWN"
    [org_res] = [r for r in res.outcome.inventory if r.type == ORGANIZATION]
    assert org_res.properties["delegated_admins"] == {"guardduty": [security], "securityhub": None, "detective": None, "config": [security]}


def test_org_checks_unknown_when_membership_cannot_be_read(org: tuple[boto3.Session, BuiltOrg], monkeypatch: pytest.MonkeyPatch) -> None:
    sess, o = org
    for acct in (o.management, *o.members):
        s = sess if acct == o.management else member_session(sess, acct)
        s.client("guardduty", region_name=REGION).create_detector(Enable=True)

    monkeypatch.setattr(org_checks, "_gd_admin", lambda client, region, detector: None)
    res = scan_org(OrgScanRequest(plan_for(sess), ALL_RULES, session=sess, services=SERVICES))
    assert _org_results(res)["organizations_guardduty_not_covering_accounts"] == "UNKNOWN"
    assert ResultStatus.PASS.value not in {_org_results(res)["organizations_guardduty_not_covering_accounts"]}
