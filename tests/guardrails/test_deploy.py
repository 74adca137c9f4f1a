"""Deploy and drift against moto's Organizations and CloudFormation (StackSets, service-managed)."""

from __future__ import annotations

import json

import pytest

from mamori import audit
from mamori.guardrails import detective, drift
from mamori.guardrails.deploy import UNCHANGED, DeployRequest, apply, plan
from mamori.guardrails.org import NotManagementAccount
from mamori.guardrails.policies import ScpOptions

from .conftest import OrgEnv

REQ = DeployRequest(options=ScpOptions(allowed_regions=("ap-northeast-1", "us-east-1")))
N_SCPS = 6


# moto's CloudFormation skips AWS::Events::EventBusPolicy and AWS::SQS::QueuePolicy (docs/guardrails.md)
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS::")


def _deploy(env: OrgEnv, req: DeployRequest = REQ) -> None:
    client, _ = env.factories()
    apply(client, req, plan(client, req), env.store.engine, "alice")


def _scps(env: OrgEnv) -> dict[str, str]:
    return {p["Name"]: p["Id"] for p in env.client("organizations").list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]}


def test_plan_reads_only_and_says_where(org_env: OrgEnv) -> None:
    client, _ = org_env.factories()
    p = plan(client, REQ)
    ops = [(c.kind, c.op) for c in p.changes]
    assert ops[:2] == [("policy_type", "enable"), ("trusted_access", "enable")]
    assert ops.count(("scp", "create")) == N_SCPS and ops.count(("attachment", "attach")) == N_SCPS
    assert ("central_stack", "create") in ops and ("stackset", "create") in ops and ("stack_instances", "create") in ops
    assert p.accounts == org_env.members and p.target == org_env.root
    assert all(c.where == org_env.root for c in p.changes if c.kind == "attachment")
    # nothing changed: no SCP, the policy type still off, no stack set
    assert set(_scps(org_env)) == {"FullAWSAccess"}
    assert org_env.client("cloudformation").list_stack_sets()["Summaries"] == []


def test_apply_creates_attaches_deploys_and_is_idempotent(org_env: OrgEnv) -> None:
    _deploy(org_env)
    org = org_env.client("organizations")
    root = org.list_roots()["Roots"][0]
    assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    ids = _scps(org_env)
    for name in ("mamori-deny-access-keys", "mamori-deny-regions", "mamori-deny-root"):
        targets = {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=ids[name])["Targets"]}
        assert org_env.root in targets
    cfn = org_env.client("cloudformation")
    ss = cfn.describe_stack_set(StackSetName=detective.STACKSET_NAME)["StackSet"]
    assert ss["PermissionModel"] == "SERVICE_MANAGED"
    inst = {(i["Account"], i["Region"]) for i in cfn.list_stack_instances(StackSetName=detective.STACKSET_NAME)["Summaries"]}
    assert {(a, r) for a in org_env.members for r in ("ap-northeast-1", "us-east-1")} <= inst
    # the rules exist in the member accounts, forwarding exactly what the detections read
    _, member = org_env.factories()
    rules = {r["Name"]: r for r in member(org_env.members[0], "events", "ap-northeast-1").list_rules(NamePrefix="mamori-")["Rules"]}
    want = {r.name: r.pattern for r in detective.default_rules()}
    assert set(rules) == set(want)
    assert json.loads(rules["mamori-cloudtrail"]["EventPattern"])["detail"]["eventName"] == sorted(
        ["DeleteTrail", "PutEventSelectors", "StopLogging", "UpdateTrail"])
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=detective.CENTRAL_STACK)["Stacks"][0]["Outputs"]}
    assert outputs["QueueUrl"].endswith("/mamori-guardrails-events")
    # every change audited
    entries = [e for e in audit.entries(org_env.store.engine) if e.action.startswith("guardrails.")]
    assert len(entries) == 2 + 2 * N_SCPS + 3 and {e.actor for e in entries} == {"alice"}
    assert audit.verify(org_env.store.engine).ok
    # second run: zero changes
    client, _ = org_env.factories()
    again = plan(client, REQ)
    assert again.pending == [] and all(c.op == UNCHANGED for c in again.changes)


def test_a_changed_option_updates_only_that_policy(org_env: OrgEnv) -> None:
    _deploy(org_env)
    client, _ = org_env.factories()
    req = DeployRequest(options=ScpOptions(allowed_regions=("us-east-1",)))
    p = plan(client, req)
    assert [(c.kind, c.op, c.name) for c in p.pending] == [("scp", "update", "mamori-deny-regions")]
    apply(client, req, p, org_env.store.engine, "alice")
    content = org_env.client("organizations").describe_policy(PolicyId=_scps(org_env)["mamori-deny-regions"])["Policy"]["Content"]
    assert json.loads(content)["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["us-east-1"]


def test_drift_detach_edit_delete_then_redeploy_clears(org_env: OrgEnv) -> None:
    _deploy(org_env)
    client, member = org_env.factories()
    assert drift.check(client, member, org_env.store.engine, "us-east-1").drifts == []
    org = org_env.client("organizations")
    ids = _scps(org_env)
    org.detach_policy(PolicyId=ids["mamori-deny-root"], TargetId=org_env.root)
    org.update_policy(PolicyId=ids["mamori-deny-leave-organization"],
                      Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    events = member(org_env.members[1], "events", "us-east-1")
    events.remove_targets(Rule="mamori-cloudtrail", Ids=["central-bus"])
    events.delete_rule(Name="mamori-cloudtrail")
    org_env.client("cloudformation").delete_stack_instances(
        StackSetName=detective.STACKSET_NAME, Accounts=[org_env.members[0]], Regions=["ap-northeast-1"], RetainStacks=False)
    rep = drift.check(client, member, org_env.store.engine, "us-east-1")
    got = {(d.kind, d.name, d.problem) for d in rep.drifts}
    gone = f"{org_env.members[0]}/ap-northeast-1"
    assert got == {
        ("scp", "mamori-deny-root", "detached"),
        ("scp", "mamori-deny-leave-organization", "edited"),
        ("rule", f"{org_env.members[1]}/us-east-1/mamori-cloudtrail", "deleted"),
        ("stack_instance", gone, "missing"),  # its rules went with it: reported once, as the instance
    }
    assert rep.drifted
    # a re-deploy restores the policy's content, the attachment and the instance
    _deploy(org_env)
    after = drift.check(client, member, org_env.store.engine, "us-east-1")
    left = {(d.kind, d.problem) for d in after.drifts}
    assert ("scp", "detached") not in left and ("scp", "edited") not in left and ("stack_instance", "missing") not in left


def test_drift_after_detaching_one_scp_is_cleared_by_a_redeploy(org_env: OrgEnv) -> None:
    _deploy(org_env)
    client, member = org_env.factories()
    org_env.client("organizations").detach_policy(PolicyId=_scps(org_env)["mamori-deny-access-keys"], TargetId=org_env.root)
    rep = drift.check(client, member, org_env.store.engine, "us-east-1")
    assert [(d.kind, d.name, d.problem) for d in rep.drifts] == [("scp", "mamori-deny-access-keys", "detached")]
    assert [(c.kind, c.op) for c in plan(client, REQ).pending] == [("attachment", "attach")]
    _deploy(org_env)
    assert drift.check(client, member, org_env.store.engine, "us-east-1").drifts == []


def test_an_ou_target_gets_the_policies_and_instances(org_env: OrgEnv) -> None:
    req = DeployRequest(options=ScpOptions(), target=org_env.ou, regions=("us-east-1",))
    _deploy(org_env, req)
    org = org_env.client("organizations")
    pid = _scps(org_env)["mamori-deny-root"]
    assert {t["TargetId"] for t in org.list_targets_for_policy(PolicyId=pid)["Targets"]} == {org_env.ou}
    client, _ = org_env.factories()
    assert plan(client, req).pending == []


def test_an_account_outside_any_organization_is_refused() -> None:
    import boto3
    from moto import mock_aws

    from mamori.guardrails.org import session_factories

    with mock_aws():
        client, _ = session_factories(boto3.Session(region_name="us-east-1"), None, "x")
        with pytest.raises(NotManagementAccount, match="no organization"):
            plan(client, REQ)


def test_the_record_of_what_was_deployed_on_sqlite_and_postgresql(store_url: str) -> None:
    from mamori.findings import Store
    from mamori.guardrails import state

    s = Store.open(store_url)
    try:
        items = [state.Deployed("scp", "mamori-deny-root", "p-1", "ab" * 32, {"targets": ["r-1"]}),
                 state.Deployed("rules", "111122223333/us-east-1", "", "", {"names": ["mamori-iam"]})]  # fmt: skip
        state.save(s.engine, "o-1", items, "alice")
        state.save(s.engine, "o-2", items[:1], "bob")
        assert state.load(s.engine, "o-1") == items
        state.save(s.engine, "o-1", items[1:], "alice")  # replaced, not appended
        assert state.load(s.engine, "o-1") == items[1:] and len(state.load(s.engine, "o-2")) == 1
    finally:
        s.close()


def test_the_config_recorder_is_a_parameter_of_the_stack_set(org_env: OrgEnv) -> None:
    req = DeployRequest(options=ScpOptions(), regions=("us-east-1",), config_recorder=True, config_bucket="acme-config")
    _deploy(org_env, req)
    ss = org_env.client("cloudformation").describe_stack_set(StackSetName=detective.STACKSET_NAME)["StackSet"]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in ss["Parameters"]}
    assert params["EnableConfigRecorder"] == "true" and params["ConfigBucket"] == "acme-config"
    client, _ = org_env.factories()
    assert plan(client, req).pending == []
    off = plan(client, DeployRequest(options=ScpOptions(), regions=("us-east-1",)))
    assert [(c.kind, c.op) for c in off.pending] == [("stackset", "update")]


def test_wildcard_detections_forward_only_what_they_read() -> None:
    """A detection on every source forwards its event names and its user-agent words, not every call."""
    rules = {r.name: r.pattern for r in detective.default_rules()}
    ua = rules["mamori-attack-tool-user-agent"]["detail"]["userAgent"]
    assert {"wildcard": "*TruffleHog*"} in ua and {"wildcard": "*trufflehog*"} in ua and {"wildcard": "*PACU*"} in ua
    burst = rules["mamori-discovery-burst"]["detail"]
    assert "ListBuckets" in burst["eventName"] and burst["userIdentity"] == {"type": ["AssumedRole"]}
    assert all(p.get("detail") for p in rules.values()), "no rule forwards every CloudTrail event"
    assert detective._literal_words("(pacu|S3 Browser)") == ["pacu", "Pacu", "PACU", "S3 Browser", "s3 browser", "S3 BROWSER"]
    assert detective._literal_words("^aws-cli/.*boto") is None
