"""Safety: plan reads only; apply changes exactly the planned resources; re-apply is a no-op;
a failure half-way is recorded precisely; rollback restores the prior state."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mamori import audit
from mamori.config.guardrails import Exemption, GuardrailsConfig, Mode, RuleGuardrail
from mamori.findings import Store
from mamori.remediate.apply import apply_plan
from mamori.remediate.errors import NotReversibleError, RemediationError
from mamori.remediate.model import ChangeStatus, PlanStatus
from mamori.remediate.planner import Selector, plan_from_store
from mamori.remediate.repo import RemediationStore
from mamori.remediate.rollback import rollback_change, rollback_plan
from tests.awsutil import deny

from . import estate
from .conftest import ACCOUNT, REGIONS, Aws, finding, pab, public_bucket

ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _three_buckets(aws: Aws, store: Store) -> list[tuple[str, str]]:
    out = []
    for r in REGIONS:
        public_bucket(aws, f"b-{r}", r)
        out.append((f"b-{r}", r))
    store.upsert_findings([finding("s3_bucket_public_access_block_off", "aws.s3.bucket", b, r) for b, r in out], actor="test")
    return out


def test_plan_makes_no_mutating_call_and_covers_every_bound_rule(aws: Aws, store: Store, cfg: GuardrailsConfig) -> None:
    findings, names = estate.build(aws)
    store.upsert_findings(findings, actor="test")
    plan = plan_from_store(store, aws.clients, cfg, Selector(), actor="tester")
    assert aws.clients.mutating() == []
    assert {c.rule_id for c in plan.changes} == {f.rule_id for f in findings}
    assert all(c.status is ChangeStatus.PLANNED and c.calls for c in plan.changes), [(c.rule_id, c.status, c.error) for c in plan.changes]
    assert plan.status is PlanStatus.PLANNED
    stored = RemediationStore(store.engine).plan(plan.id[:8])
    assert stored.to_dict() == plan.to_dict()
    assert [e.action for e in audit.entries(store.engine)] == ["remediate.plan"]
    sg = next(c for c in plan.changes if c.rule_id.endswith("_ipv4"))
    assert sg.calls[0].params["IpPermissions"] == [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    assert names["sg"] in sg.summary or "22" in sg.summary


def test_apply_changes_exactly_the_planned_resources_then_reapply_is_a_noop(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    findings, names = estate.build(aws)
    public_bucket(aws, "not-in-the-plan", "us-east-1")
    sqlite_store.upsert_findings(findings, actor="test")
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    planned_ops = {f"{c.service}.{c.operation}" for ch in plan.changes for c in ch.calls}
    report = apply_plan(RemediationStore(sqlite_store.engine), aws.clients, plan, cfg, actor="tester")
    assert {c.id: c.status for c in report.plan.changes} == dict.fromkeys((c.id for c in plan.changes), ChangeStatus.APPLIED)
    assert set(report.mutating_calls) == planned_ops
    assert report.plan.status is PlanStatus.APPLIED
    for b, r in names["buckets"]:
        assert pab(aws, b, r) == ALL_ON
    assert pab(aws, "not-in-the-plan", "us-east-1") is None
    # the same plan again: nothing is actionable, nothing is called
    again = apply_plan(RemediationStore(sqlite_store.engine), aws.clients, RemediationStore(sqlite_store.engine).plan(plan.id), cfg, actor="tester")
    assert again.attempted == () and again.mutating_calls == ()
    # a new plan from the (still open, until the next scan) findings: every change is a no-op
    replan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    assert {c.status for c in replan.changes} == {ChangeStatus.NOOP}
    assert replan.status is PlanStatus.NOTHING_TO_DO
    third = apply_plan(RemediationStore(sqlite_store.engine), aws.clients, replan, cfg, actor="tester")
    assert third.mutating_calls == ()
    assert audit.verify(sqlite_store.engine).ok


def test_failure_half_way_is_recorded_precisely(aws: Aws, store: Store, cfg: GuardrailsConfig) -> None:
    buckets = _three_buckets(aws, store)
    deny(aws.session, "s3", "PutPublicAccessBlock", regions=[buckets[1][1]])
    rstore = RemediationStore(store.engine)
    plan = plan_from_store(store, aws.clients, cfg, Selector(), actor="tester")
    assert [c.target.resource_id for c in plan.changes] == [b for b, _ in buckets]
    report = apply_plan(rstore, aws.clients, plan, cfg, actor="tester")
    first, second, third = report.plan.changes
    assert (first.status, second.status, third.status) == (ChangeStatus.APPLIED, ChangeStatus.FAILED, ChangeStatus.APPLIED)
    assert second.calls_done == 0 and "AccessDenied" in second.error and "nothing changed" in second.error
    assert second.prior == {"configured": False, "config": dict.fromkeys(ALL_ON, False)}
    assert [pab(aws, b, r) for b, r in buckets] == [ALL_ON, None, ALL_ON]
    assert report.plan.status is PlanStatus.PARTIAL
    assert rstore.plan(plan.id).status is PlanStatus.PARTIAL
    changes = {e.subject: e.details["status"] for e in audit.entries(store.engine, action="remediate.change")}
    assert changes == {first.id: "applied", second.id: "failed", third.id: "applied"}
    summary = audit.entries(store.engine, action="remediate.apply")[-1].details
    assert summary["outcome"] == {"applied": 2, "failed": 1}


def test_stop_on_error_leaves_the_rest_planned(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    buckets = _three_buckets(aws, sqlite_store)
    deny(aws.session, "s3", "PutPublicAccessBlock", regions=[buckets[1][1]])
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    report = apply_plan(RemediationStore(sqlite_store.engine), aws.clients, plan, cfg, actor="tester", stop_on_error=True)
    assert [c.status for c in report.plan.changes] == [ChangeStatus.APPLIED, ChangeStatus.FAILED, ChangeStatus.PLANNED]
    assert report.not_attempted == (plan.changes[2].id,)
    assert pab(aws, buckets[2][0], buckets[2][1]) is None


def test_retry_after_a_failure_applies_only_what_is_left(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    buckets = _three_buckets(aws, sqlite_store)
    deny(aws.session, "s3", "PutPublicAccessBlock", regions=[buckets[1][1]])
    rstore = RemediationStore(sqlite_store.engine)
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    apply_plan(rstore, aws.clients, plan, cfg, actor="tester")
    import boto3

    aws.session = boto3.Session(region_name="us-east-1")  # permission granted now
    clients = aws.fresh_clients()
    report = apply_plan(rstore, clients, rstore.plan(plan.id), cfg, actor="tester")
    assert report.attempted == (plan.changes[1].id,)
    assert clients.mutating() == ["s3.PutPublicAccessBlock"]
    assert report.plan.status is PlanStatus.APPLIED


def test_stale_plan_changes_nothing(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    public_bucket(aws, "acl-public", "us-east-1")
    s3 = aws.client("s3")
    s3.put_bucket_acl(Bucket="acl-public", ACL="public-read")
    sqlite_store.upsert_findings([finding("s3_bucket_public_via_acl", "aws.s3.bucket", "acl-public", "us-east-1")], actor="t")
    buckets = _three_buckets(aws, sqlite_store)
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    s3.put_bucket_acl(Bucket="acl-public", ACL="authenticated-read")  # someone changed it since the plan
    before = s3.get_bucket_acl(Bucket="acl-public")["Grants"]
    report = apply_plan(RemediationStore(sqlite_store.engine), aws.fresh_clients(), plan, cfg, actor="tester")
    st = {c.target.resource_id: c for c in report.plan.changes}
    assert st["acl-public"].status is ChangeStatus.STALE and "re-plan" in st["acl-public"].reason
    assert s3.get_bucket_acl(Bucket="acl-public")["Grants"] == before
    assert "s3.PutBucketAcl" not in report.mutating_calls
    assert all(st[b].status is ChangeStatus.APPLIED for b, _ in buckets)
    # a fresh plan sees the new state and removes the new public grant
    replan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(rules=("s3_bucket_public_via_acl",)), actor="tester")
    assert "AuthenticatedUsers:READ" in replan.changes[0].summary


def test_rollback_restores_the_prior_state(aws: Aws, store: Store, cfg: GuardrailsConfig) -> None:
    findings, names = estate.build(aws)
    store.upsert_findings(findings, actor="test")
    rstore = RemediationStore(store.engine)
    plan = plan_from_store(store, aws.clients, cfg, Selector(), actor="tester")
    apply_plan(rstore, aws.clients, plan, cfg, actor="tester")
    start_logging = next(c for c in plan.changes if c.action == "cloudtrail_start_logging")
    with pytest.raises(NotReversibleError):
        rollback_change(rstore, aws.clients, rstore.change(start_logging.id), cfg, actor="tester")
    done, failed = rollback_plan(rstore, aws.clients, rstore.plan(plan.id), cfg, actor="tester")
    assert {c.id for c, _ in failed} == {start_logging.id}
    assert len(done) == len(plan.changes) - 1
    for b, r in names["buckets"]:
        assert pab(aws, b, r) is None  # no configuration at all, as before
    grants = aws.client("s3").get_bucket_acl(Bucket="acl-public")["Grants"]
    assert any("AllUsers" in str(g["Grantee"].get("URI", "")) for g in grants)
    assert aws.client("ec2", "eu-west-1").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    key = aws.client("iam").list_access_keys(UserName="ci")["AccessKeyMetadata"][0]
    assert key["Status"] == "Active"
    assert aws.client("guardduty", "eu-west-1").list_detectors()["DetectorIds"] == []
    perms = aws.client("ec2").describe_security_groups(GroupIds=[names["sg"]])["SecurityGroups"][0]["IpPermissions"]
    ssh = next(p for p in perms if p.get("FromPort") == 22)
    assert {"CidrIp": "0.0.0.0/0", "Description": "ssh from anywhere"} in ssh["IpRanges"]
    assert ssh["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    again = rollback_change(rstore, aws.clients, rstore.change(done[0].id), cfg, actor="tester")
    assert again.status is ChangeStatus.ROLLED_BACK and again.rolled_back_at == done[0].rolled_back_at  # a no-op
    assert {e.details["outcome"] for e in audit.entries(store.engine, action="remediate.rollback")} == {"restored"}
    assert audit.verify(store.engine).ok


def test_rollback_refuses_to_overwrite_a_later_change(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    buckets = _three_buckets(aws, sqlite_store)
    rstore = RemediationStore(sqlite_store.engine)
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    apply_plan(rstore, aws.clients, plan, cfg, actor="tester")
    b, r = buckets[0]
    aws.client("s3", r).put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={**ALL_ON, "RestrictPublicBuckets": False})
    with pytest.raises(RemediationError, match="changed since"):
        rollback_change(rstore, aws.clients, rstore.change(plan.changes[0].id), cfg, actor="tester")
    rollback_change(rstore, aws.clients, rstore.change(plan.changes[0].id), cfg, actor="tester", force=True)
    assert pab(aws, b, r) is None


def test_rollback_of_a_change_that_changed_nothing_is_refused(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    _three_buckets(aws, sqlite_store)
    rstore = RemediationStore(sqlite_store.engine)
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    with pytest.raises(RemediationError, match="changed nothing"):
        rollback_change(rstore, aws.clients, plan.changes[0], cfg, actor="tester")


def test_modes_and_exemptions(aws: Aws, sqlite_store: Store) -> None:
    buckets = _three_buckets(aws, sqlite_store)
    (b0, r0), (b1, _), (b2, _) = buckets
    yesterday = date.today() - timedelta(days=1)
    cfg = GuardrailsConfig(
        verify_delay_seconds=0,
        rules={"s3_bucket_public_access_block_off": RuleGuardrail(mode=Mode.DETECT)},
        exemptions=[
            Exemption(rule="s3_bucket_public_access_block_off", account=ACCOUNT, resource=b1, reason="static website", approver="sec", expires=date.today()),
            Exemption(rule="s3_bucket_public_access_block_off", account=ACCOUNT, resource=b2, reason="old", approver="sec", expires=yesterday),
        ],
    )  # fmt: skip
    rstore = RemediationStore(sqlite_store.engine)
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    st = {c.target.resource_id: c for c in plan.changes}
    assert st[b1].status is ChangeStatus.EXEMPT and "static website" in st[b1].reason and not st[b1].calls
    assert st[b2].status is ChangeStatus.PLANNED and "expired" in st[b2].reason
    assert st[b0].status is ChangeStatus.PLANNED and "detect" in st[b0].reason  # the impact report still shows it
    assert [e.subject for e in audit.entries(sqlite_store.engine, action="guardrails.exemption")] == [f"{ACCOUNT}/eu-west-1/{b1}"]
    report = apply_plan(rstore, aws.clients, plan, cfg, actor="tester")
    assert {c.status for c in report.plan.changes} == {ChangeStatus.BLOCKED, ChangeStatus.EXEMPT}
    assert report.mutating_calls == () and pab(aws, b0, r0) is None
    manual = cfg.model_copy(update={"rules": {"s3_bucket_public_access_block_off": RuleGuardrail(mode=Mode.DETECT, accounts={ACCOUNT: Mode.MANUAL})}})
    plan2 = plan_from_store(sqlite_store, aws.clients, manual, Selector(modes=(Mode.MANUAL,)), actor="tester")
    assert len(plan2.changes) == 3
    assert plan_from_store(sqlite_store, aws.clients, manual, Selector(modes=(Mode.AUTO,)), actor="tester").changes == ()


def test_unreadable_resource_is_an_error_in_the_plan_not_a_crash(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    buckets = _three_buckets(aws, sqlite_store)
    deny(aws.session, "s3", "GetPublicAccessBlock", regions=[buckets[0][1]])
    sqlite_store.upsert_findings([finding("s3_bucket_public_access_block_off", "aws.s3.bucket", "x", "us-east-1", account="999999999999")], actor="t")
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    st = {c.target.resource_id: c for c in plan.changes}
    assert st[buckets[0][0]].status is ChangeStatus.ERROR and "AccessDenied" in st[buckets[0][0]].error
    assert st["x"].status is ChangeStatus.ERROR and "no credentials for account 999999999999" in st["x"].error
    assert st[buckets[1][0]].status is ChangeStatus.PLANNED


def test_unverified_when_the_change_does_not_show(aws: Aws, sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.remediate.action import ACTIONS

    _three_buckets(aws, sqlite_store)
    cfg = GuardrailsConfig(verify_attempts=3, verify_delay_seconds=0.5)
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(), actor="tester")
    monkeypatch.setattr(type(ACTIONS.get("s3_bucket_block_public_access")), "verify", lambda self, ctx, t, p: False)
    sleeps: list[float] = []
    report = apply_plan(RemediationStore(sqlite_store.engine), aws.clients, plan, cfg, actor="tester", sleep=sleeps.append)
    assert {c.status for c in report.plan.changes} == {ChangeStatus.UNVERIFIED}
    assert sleeps == [0.5, 0.5] * 3
    monkeypatch.undo()
    again = apply_plan(RemediationStore(sqlite_store.engine), aws.clients, RemediationStore(sqlite_store.engine).plan(plan.id), cfg, actor="tester")
    assert {c.status for c in again.plan.changes} == {ChangeStatus.APPLIED} and again.mutating_calls == ()


def test_selector_filters_and_unknown_rule(aws: Aws, sqlite_store: Store, cfg: GuardrailsConfig) -> None:
    findings, _ = estate.build(aws)
    sqlite_store.upsert_findings(findings, actor="test")
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(rules=("kms_key_rotation_disabled",)), actor="tester")
    assert [c.rule_id for c in plan.changes] == ["kms_key_rotation_disabled"]
    fid = findings[0].id
    plan = plan_from_store(sqlite_store, aws.clients, cfg, Selector(finding_ids=(fid[:10],)), actor="tester")
    assert [c.finding_id for c in plan.changes] == [fid]
    assert plan_from_store(sqlite_store, aws.clients, cfg, Selector(accounts=("000000000000",)), actor="tester").changes == ()
    with pytest.raises(RemediationError, match="no remediation action is bound"):
        plan_from_store(sqlite_store, aws.clients, cfg, Selector(rules=("iam_root_mfa_disabled",)), actor="tester")
