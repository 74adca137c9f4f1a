"""Responders against moto: they act through remediate in act mode (a stored, verified, audited change),
never in dry-run, and only once per eventID."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from mamori import audit
from mamori.collect.aws.session import ApiCounter, AwsTarget
from mamori.config.guardrails import GuardrailsConfig
from mamori.events import DetectionSet, Matcher
from mamori.events.config import EventsConfig
from mamori.events.ledger import MemoryLedger
from mamori.events.processor import Processor
from mamori.events.responders import ResponseResult
from mamori.events.schema import ResponseMode
from mamori.events.store import EventStore
from mamori.findings import Store
from mamori.notify import DeliveryError, Notification
from mamori.notify.channels import MemoryNotifier
from mamori.remediate.clients import Clients
from mamori.remediate.model import ChangeStatus
from mamori.remediate.repo import RemediationStore
from mamori.remediate.rollback import rollback_change

from .conftest import is_logging
from .helpers import ACCOUNT, BASE_TIME, record, role_session, stop_logging, user

ACT = EventsConfig(default_mode=ResponseMode.ACT)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path}/m.db")
    try:
        yield s
    finally:
        s.close()


def _proc(sess: boto3.Session, detections: DetectionSet, cfg: EventsConfig | None = None, *, store: Store | None = None,
          **kw: Any) -> tuple[Processor, ApiCounter]:  # fmt: skip
    counter = ApiCounter()
    clients = Clients.assuming(AwsTarget(), session_factory=lambda: sess, counter=counter, role_name=(cfg or EventsConfig()).role_name)
    proc = Processor(Matcher(detections), cfg or EventsConfig(), kw.pop("ledger", MemoryLedger()), store, clients,
                     kw.pop("notifiers", [MemoryNotifier()]), **kw)  # fmt: skip
    return proc, counter


def _results(outcome: Any) -> dict[str, ResponseResult]:
    return {r.responder: r.result for r in outcome.responses}


def test_restart_trail_goes_through_remediate_and_is_audited(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    proc, counter = _proc(aws, detections, ACT, store=db)
    [out] = proc.process(stop_logging())
    assert _results(out) == {"restart_trail": ResponseResult.APPLIED, "notify": ResponseResult.SENT}
    assert is_logging(aws)
    assert counter.calls["cloudtrail.StartLogging"] == 1
    output = out.responses[0].output
    assert output["verified"] is True and output["status"] == "applied"
    # the change is an ordinary remediation change: stored plan, the action, verified, audited
    change = RemediationStore(db.engine).change(output["change_id"])
    assert (change.action, change.status, change.rule_id, change.finding_id) == (
        "cloudtrail_start_logging", ChangeStatus.APPLIED, "cloudtrail_stop_logging", out.match.finding_id)
    assert change.target.resource_id == "org-trail" and change.prior == {"is_logging": False}
    plan = RemediationStore(db.engine).plan(output["plan_id"])
    assert plan.source == "events" and plan.selector["event_id"] == out.match.event_id and plan.selector["responder"] == "restart_trail"
    assert [e.action for e in audit.entries(db.engine)] == ["remediate.plan", "remediate.change", "remediate.apply"]
    assert audit.verify(db.engine).ok


def test_acting_needs_the_store(aws: boto3.Session, detections: DetectionSet) -> None:
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    proc, counter = _proc(aws, detections, ACT)
    [out] = proc.process(stop_logging())
    r = out.responses[0]
    assert r.result is ResponseResult.FAILED and "store" in r.error
    assert counter.total == 0 and not is_logging(aws)


def test_an_already_compliant_resource_is_left_alone(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    proc, counter = _proc(aws, detections, ACT, store=db)  # the trail logs again by the time the event arrives
    [out] = proc.process(stop_logging())
    r = out.responses[0]
    assert r.result is ResponseResult.SKIPPED and "the trail is logging" in r.error and r.output["status"] == "noop"
    assert counter.mutating() == []


def test_dry_run_plans_and_makes_no_mutating_call(aws: boto3.Session, detections: DetectionSet) -> None:
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    proc, counter = _proc(aws, detections)  # default: dry-run
    sid = role_session("ops-automation", "a")
    outs = [proc.process(stop_logging(ident=sid, at=BASE_TIME + timedelta(minutes=m)))[0] for m in (0, 10)]
    assert _results(outs[1]) == {"restart_trail": ResponseResult.PLANNED, "quarantine_principal": ResponseResult.PLANNED,
                                 "notify": ResponseResult.SENT}  # fmt: skip
    restart, quarantine = outs[1].responses[0].intent, outs[1].responses[1].intent
    assert str(restart.calls[0]) == "cloudtrail:StartLogging(Name='org-trail')"
    # the intent names remediate's action and target; the calls are that action's proposal
    assert (restart.remediation, restart.target.resource_type if restart.target else None) == ("cloudtrail_start_logging", "aws.cloudtrail.trail")
    assert quarantine.remediation == "iam_quarantine_role" and quarantine.target is not None and quarantine.target.resource_id == "ops-automation"
    assert [c.operation for c in quarantine.calls] == ["PutRolePolicy"] and quarantine.params["policy_name"] == "mamori-quarantine"
    assert counter.mutating() == [] and counter.total == 0
    assert not is_logging(aws)


def test_duplicate_event_id_responds_once(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    notifier = MemoryNotifier()
    proc, counter = _proc(aws, detections, ACT, store=db, notifiers=[notifier])
    rec = stop_logging()
    first = proc.process(dict(rec))[0]
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    again = proc.process(dict(rec))[0]
    assert not first.duplicate and again.duplicate
    assert counter.calls["cloudtrail.StartLogging"] == 1 and len(notifier.sent) == 1
    assert again.offence == first.offence == 1


def test_repeat_offender_role_is_quarantined(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    iam = aws.client("iam")
    iam.create_role(RoleName="ops-automation", AssumeRolePolicyDocument="{}")
    cfg = EventsConfig(modes={"cloudtrail_stop_logging": ResponseMode.ACT})
    proc, counter = _proc(aws, detections, cfg, store=db)
    one = proc.process(stop_logging(ident=role_session("ops-automation", "s1"), at=BASE_TIME))[0]
    assert "quarantine_principal" not in _results(one) and one.offence == 1
    two = proc.process(stop_logging(ident=role_session("ops-automation", "s2"), at=BASE_TIME + timedelta(hours=2)))[0]
    assert two.offence == 2 and _results(two)["quarantine_principal"] is ResponseResult.APPLIED
    doc = iam.get_role_policy(RoleName="ops-automation", PolicyName="mamori-quarantine")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc["Statement"][0]["Effect"] == "Deny" and "cloudtrail:StopLogging" in doc["Statement"][0]["Action"]
    # a third time 38 h after the second: no offence in the 24 h before it, so no escalation
    three = proc.process(stop_logging(ident=role_session("ops-automation", "s3"), at=BASE_TIME + timedelta(hours=40)))[0]
    assert three.offence == 1 and "quarantine_principal" not in _results(three)
    assert counter.calls["iam.PutRolePolicy"] == 1
    # an ordinary remediation change: `mamori remediate rollback` lifts the quarantine
    q = next(r for r in two.responses if r.responder == "quarantine_principal")
    rstore = RemediationStore(db.engine)
    rollback_change(rstore, Clients.assuming(AwsTarget(), session_factory=lambda: aws), rstore.change(q.output["change_id"]),
                    GuardrailsConfig(), actor="alice")  # fmt: skip
    assert iam.list_role_policies(RoleName="ops-automation")["PolicyNames"] == []


def test_repeat_offender_user_gets_configured_actions(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="mallory")
    cfg = EventsConfig(default_mode=ResponseMode.ACT, responders={"quarantine_principal": {"actions": ["*"]}})
    proc, _ = _proc(aws, detections, cfg, store=db)
    me = user("mallory")
    proc.process(stop_logging(ident=me, at=BASE_TIME))
    out = proc.process(record(BASE_TIME + timedelta(minutes=5), eventSource="cloudtrail.amazonaws.com", eventName="DeleteTrail",
                              requestParameters={"name": "org-trail"}, userIdentity=me))[0]  # fmt: skip
    assert out.offence == 2 and _results(out)["quarantine_principal"] is ResponseResult.APPLIED
    doc = iam.get_user_policy(UserName="mallory", PolicyName="mamori-quarantine")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc["Statement"][0]["Action"] == ["*"]


def test_a_failed_call_is_recorded_but_not_undone(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    proc, counter = _proc(aws, detections, ACT, store=db)
    [out] = proc.process(stop_logging(errorCode="AccessDenied", errorMessage="not authorized"))
    res = {r.responder: r for r in out.responses}
    # a denied StopLogging is an attempt: not the critical "logging was stopped", no responder, counted
    spec = out.match.detection.spec
    assert spec.id == "cloudtrail_stop_logging_attempt" and spec.severity.value == "low"
    assert spec.title.startswith("Attempt: CloudTrail logging was stopped")
    assert set(res) == {"notify"} and res["notify"].result is ResponseResult.SENT and out.offence == 1
    assert counter.mutating() == []


def test_backdoor_key_is_disabled(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    iam = aws.client("iam")
    iam.create_user(UserName="admin-bob")
    key = iam.create_access_key(UserName="admin-bob")["AccessKey"]["AccessKeyId"]
    proc, counter = _proc(aws, detections, ACT, store=db)
    rec = record(eventSource="iam.amazonaws.com", eventName="CreateAccessKey", userIdentity=user("ci-deployer"),
                 requestParameters={"userName": "admin-bob"},
                 responseElements={"accessKey": {"accessKeyId": key, "userName": "admin-bob", "status": "Active"}})  # fmt: skip
    outs = {o.match.detection.id: o for o in proc.process(rec)}
    assert set(outs) == {"iam_access_key_created_for_other_user", "iam_access_key_created"}
    assert _results(outs["iam_access_key_created_for_other_user"])["disable_access_key"] is ResponseResult.APPLIED
    assert iam.list_access_keys(UserName="admin-bob")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert counter.mutating() == ["iam.UpdateAccessKey"]
    [change] = RemediationStore(db.engine).changes_for(action="iam_disable_access_key")
    assert change.target.resource_id == key and change.status is ChangeStatus.APPLIED


def test_role_is_assumed_in_the_events_account(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    other = "210987654321"
    creds = aws.client("sts").assume_role(RoleArn=f"arn:aws:iam::{other}:role/mamori-responder", RoleSessionName="setup")["Credentials"]
    sess2 = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"], region_name="eu-west-1")  # fmt: skip
    sess2.client("s3").create_bucket(Bucket="logs-2", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    sess2.client("cloudtrail").create_trail(Name="dev-trail", S3BucketName="logs-2")
    cfg = EventsConfig(default_mode=ResponseMode.ACT, role_name="mamori-responder")
    proc, counter = _proc(aws, detections, cfg, store=db)
    [out] = proc.process(stop_logging("dev-trail", ident=role_session(account=other), awsRegion="eu-west-1", recipientAccountId=other))
    assert _results(out)["restart_trail"] is ResponseResult.APPLIED
    assert sess2.client("cloudtrail").get_trail_status(Name="dev-trail")["IsLogging"]
    assert counter.calls["sts.AssumeRole"] == 1
    assert aws.client("cloudtrail").get_trail_status(Name="org-trail")["IsLogging"]  # home account untouched


class _Broken:
    name = "broken"

    def send(self, n: Notification) -> None:
        raise DeliveryError("webhook answered 503")


def test_notification_failure_is_recorded(detections: DetectionSet) -> None:
    proc = Processor(Matcher(detections), notifiers=[_Broken()])
    out = proc.process(record(eventSource="kms.amazonaws.com", eventName="ScheduleKeyDeletion", requestParameters={"keyId": "k"}))[0]
    assert out.responses[0].result is ResponseResult.FAILED and "503" in out.responses[0].error


def test_notification_names_the_actor_and_the_plan(detections: DetectionSet) -> None:
    box = MemoryNotifier()
    proc = Processor(Matcher(detections), notifiers=[box])
    proc.process(stop_logging())
    [n] = box.sent
    assert "arn:aws:iam::123456789012:role/ops-automation" in n.subject
    assert "restart_trail: planned" in n.body and n.data["detection"] == "cloudtrail_stop_logging"
    assert ACCOUNT in n.body


@pytest.mark.parametrize("ptype", ["Root", "FederatedUser"])
def test_principals_that_cannot_be_quarantined_are_skipped_with_a_reason(detections: DetectionSet, ptype: str) -> None:
    ident = {"type": ptype, "arn": f"arn:aws:iam::{ACCOUNT}:root" if ptype == "Root" else f"arn:aws:sts::{ACCOUNT}:federated-user/x",
             "accountId": ACCOUNT}  # fmt: skip
    proc = Processor(Matcher(detections))
    proc.process(stop_logging(ident=ident, at=BASE_TIME))
    out = proc.process(stop_logging(ident=ident, at=BASE_TIME + timedelta(minutes=1)))[0]
    q = next(r for r in out.responses if r.responder == "quarantine_principal")
    assert q.result is ResponseResult.SKIPPED and "cannot be given an IAM policy" in q.error


def test_a_pending_act_is_retried_from_the_stored_intent(aws: boto3.Session, detections: DetectionSet, db: Store) -> None:
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    es = EventStore(db.engine)
    proc, counter = _proc(aws, detections, ACT, store=db, ledger=es)
    m = Matcher(detections).match(stop_logging())[0]
    claim = es.claim(m, lambda n: proc.plan(m, n))  # a crash right after the claim: nothing done yet
    assert claim.responses[0].result is ResponseResult.PENDING and counter.total == 0
    out = proc.handle(m)  # the redelivery: the intent read back from the store is acted on
    assert out.duplicate and _results(out)["restart_trail"] is ResponseResult.APPLIED and is_logging(aws)
    assert proc.handle(m).responses[0].result is ResponseResult.APPLIED and counter.calls["cloudtrail.StartLogging"] == 1
