"""The events ledger on SQLite and PostgreSQL: claims, retries, history, offences, findings, checkpoints."""

from __future__ import annotations

from datetime import timedelta

from mamori.events import DetectionSet, Matcher
from mamori.events.ledger import Response
from mamori.events.processor import Processor
from mamori.events.responders import Intent, ResponseResult
from mamori.events.store import EventStore, HistoryFilter
from mamori.findings import FindingFilter, Store
from mamori.notify.channels import MemoryNotifier

from .helpers import BASE_TIME, record, role_session, stop_logging, user

ROLE = "arn:aws:iam::123456789012:role/ops-automation"


def test_claims_history_offences_and_findings(store: Store, detections: DetectionSet) -> None:
    es = EventStore(store.engine)
    proc = Processor(Matcher(detections), ledger=es, store=store, notifiers=[MemoryNotifier()])
    a = stop_logging(ident=role_session(session="a"), at=BASE_TIME)
    b = stop_logging(ident=role_session(session="b"), at=BASE_TIME + timedelta(minutes=30))
    denied = stop_logging(ident=role_session(session="c"), at=BASE_TIME + timedelta(minutes=40), errorCode="AccessDenied")
    for rec in (a, b, denied, a):  # `a` again: a duplicate delivery
        proc.process(dict(rec))
    proc.flush()
    assert proc.counts.duplicates == 1

    hist = es.history(HistoryFilter(principal=ROLE))
    assert [h["event_id"] for h in hist] == [denied["eventID"], b["eventID"], a["eventID"]]
    assert [h["offence"] for h in hist] == [3, 2, 1]  # the denied attempt counts toward repeat offences
    assert hist[0]["detection_id"] == "cloudtrail_stop_logging_attempt" and hist[0]["severity"] == "low"
    newest = {r["responder"]: r for r in hist[1]["responses"]}
    assert newest["quarantine_principal"]["result"] == "planned" and newest["quarantine_principal"]["mode"] == "dry-run"
    assert newest["restart_trail"]["plan"]["calls"][0]["operation"] == "StartLogging"
    assert newest["notify"]["result"] == "sent"

    [row] = es.offence_counts(ROLE)
    assert (row["offences"], row["attempts"], row["by_detection"]) == (2, 1, {"cloudtrail_stop_logging": 2, "cloudtrail_stop_logging_attempt": 1})

    [f] = store.findings(FindingFilter(rules=("cloudtrail_stop_logging",)))
    assert f.source == "events" and f.resource_id == "org-trail" and f.resource_arn == ROLE
    assert f.first_seen == BASE_TIME and f.last_seen == BASE_TIME + timedelta(minutes=30)
    [a] = store.findings(FindingFilter(rules=("cloudtrail_stop_logging_attempt",)))  # the denied call: a finding of its own
    assert a.severity.value == "low" and a.title.startswith("Attempt: ") and a.last_seen == BASE_TIME + timedelta(minutes=40)


def test_a_pending_response_is_retried_on_redelivery_and_then_never_again(store: Store, detections: DetectionSet) -> None:
    es = EventStore(store.engine)
    m = Matcher(detections).match(record(eventSource="kms.amazonaws.com", eventName="DisableKey", requestParameters={"keyId": "k"}))[0]
    proc = Processor(Matcher(detections), ledger=es, store=store, notifiers=[box := MemoryNotifier()])
    # a crash between the claim and the notification: the claim holds a pending response
    claim = es.claim(m, lambda n: proc.plan(m, n))
    assert [r.result for r in claim.responses] == [ResponseResult.PENDING]
    out = proc.handle(m)
    assert out.duplicate and out.responses[0].result is ResponseResult.SENT and len(box.sent) == 1
    assert proc.handle(m).responses[0].result is ResponseResult.SENT and len(box.sent) == 1


def test_user_offences_counted_across_detections_of_the_group(store: Store, detections: DetectionSet) -> None:
    es = EventStore(store.engine)
    proc = Processor(Matcher(detections), ledger=es)
    me = user("mallory")
    proc.process(stop_logging(ident=me, at=BASE_TIME))
    out = proc.process(record(BASE_TIME + timedelta(minutes=1), eventSource="cloudtrail.amazonaws.com", eventName="DeleteTrail",
                              requestParameters={"name": "x"}, userIdentity=me))[0]  # fmt: skip
    assert out.offence == 2 and "quarantine_principal" in {r.responder for r in out.responses}


def test_checkpoints(store: Store) -> None:
    es = EventStore(store.engine)
    assert es.processed_keys("s3://b/p") == set()
    es.mark_processed("s3://b/p", "k1", 10, 0)
    es.mark_processed("s3://b/p", "k1", 10, 0)  # idempotent
    es.mark_processed("s3://b/other", "k2")
    assert es.processed_keys("s3://b/p") == {"k1"}


def test_response_round_trip(store: Store, detections: DetectionSet) -> None:
    es = EventStore(store.engine)
    m = Matcher(detections).match(stop_logging())[0]
    proc = Processor(Matcher(detections), ledger=es)
    es.claim(m, lambda n: proc.plan(m, n))
    planned = proc.plan(m, 1)[0]
    r = Response("restart_trail", "x", planned.mode, planned.intent, ResponseResult.APPLIED, "", {"ok": 1})
    es.finish(m, r)
    [row] = [x for x in es.responses_for([m.event_id]) if x["responder"] == "restart_trail"]
    assert row["result"] == "applied" and row["output"] == {"ok": 1}
    [back] = [x for x in es.history()[0]["responses"] if x["responder"] == "restart_trail"]
    assert back["plan"] == planned.intent.to_dict() and back["plan"]["remediation"] == "cloudtrail_start_logging"


def test_responses_recorded_before_remediate_still_read(store: Store) -> None:
    old = {"responder": "restart_trail", "action": "restart logging on trail t", "account": "123456789012", "region": "eu-west-1",
           "calls": [{"service": "cloudtrail", "operation": "StartLogging", "params": {"Name": "t"}}], "feasible": True, "reason": ""}  # fmt: skip
    intent = Intent.from_dict(old)
    assert str(intent.calls[0]) == "cloudtrail:StartLogging(Name='t')" and intent.calls[0].region == "eu-west-1"
    assert intent.target is None and intent.feasible and intent.summary == "restart logging on trail t"
