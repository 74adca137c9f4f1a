"""`mamori events` through the CLI: replay, watch (the seed scenario, end to end), history, offenders."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import orjson

from .conftest import Run, is_logging
from .helpers import BASE_TIME, generator, role_session, stop_logging

ROLE = "arn:aws:iam::123456789012:role/ops-automation"


def test_replay_json_lists_every_detection_with_its_event_principal_and_response(mamori: Callable[..., Run], tmp_path: Path) -> None:
    gen = generator()
    corpus = gen.generate(800, seed=5)
    gen.write_archive(corpus.records, tmp_path / "arch")
    r = mamori("events", "replay", str(tmp_path / "arch"), "-o", "json", "--db", str(tmp_path / "m.db"))
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["summary"]["events"] == len(corpus.records) and data["summary"]["malformed"] == 0
    assert Counter(d["detection"] for d in data["detections"]) == Counter(corpus.truth["expect"])
    stop = [d for d in data["detections"] if d["detection"] == "cloudtrail_stop_logging"]
    assert [d["event_ids"][0] for d in stop] == corpus.truth["stop_logging"]["events"]
    assert stop[1]["principal"]["arn"] == corpus.truth["stop_logging"]["principal"] and stop[1]["offence"] == 2
    assert {x["responder"]: x["result"] for x in stop[1]["responses"]} == {
        "restart_trail": "planned", "quarantine_principal": "planned", "notify": "skipped"}
    backdoor = next(d for d in data["detections"] if d["detection"] == "iam_access_key_created_for_other_user")
    assert backdoor["event_ids"] == [corpus.truth["leaked_key"]["backdoor_event"]]
    plan = backdoor["responses"][0]["plan"]["calls"][0]
    assert plan["params"]["AccessKeyId"] == corpus.truth["leaked_key"]["backdoor_key"] and plan["params"]["Status"] == "Inactive"
    # replaying again: every detection is already recorded
    again = json.loads(mamori("events", "replay", str(tmp_path / "arch"), "-o", "json", "--db", str(tmp_path / "m.db")).out)
    assert all(d["duplicate"] for d in again["detections"])
    # table and csv
    t = mamori("events", "replay", str(tmp_path / "arch"), "--no-store")
    assert t.code == 0 and "cloudtrail_stop_logging" in t.out and "detection(s)" in t.err
    c = mamori("events", "replay", str(tmp_path / "arch"), "--no-store", "-o", "csv", "--detections", "root_activity")
    assert c.out.splitlines()[0].startswith("detection,severity,event_ids") and len(c.out.splitlines()) == 1 + corpus.truth["expect"]["root_activity"]
    assert mamori("events", "replay", str(tmp_path / "arch"), "--no-store", "--fail-on", "critical").code == 1


def test_replay_reports_malformed_input_with_its_place_and_exits_2(mamori: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_bytes(orjson.dumps({"Records": [stop_logging(), {"eventName": "x"}]}))
    (tmp_path / "in" / "b.jsonl").write_text('{"broken\n')
    r = mamori("events", "replay", str(tmp_path / "in"), "--no-store")
    assert r.code == 2
    assert "a.json:record 1: missing eventID" in r.err and "b.jsonl" in r.err and "2 malformed" in r.err
    assert "cloudtrail_stop_logging" in r.out  # the good record was still processed


def test_detections_command(mamori: Callable[..., Run]) -> None:
    r = mamori("events", "detections", "-o", "json")
    rows = json.loads(r.out)
    assert len(rows) >= 15 and {"id", "mitre", "baseline", "responders"} <= set(rows[0])


def _put(sess: boto3.Session, key: str, recs: list[dict[str, Any]]) -> None:
    sess.client("s3").put_object(Bucket="trail-logs", Key=key, Body=gzip.compress(orjson.dumps({"Records": recs})))


def test_seed_scenario_end_to_end(aws: boto3.Session, mamori: Callable[..., Run], tmp_path: Path) -> None:
    """StopLogging -> logging again within one poll; the same role again -> deny policy; history per principal."""
    aws.client("iam").create_role(RoleName="ops-automation", AssumeRolePolicyDocument="{}")
    cfg = tmp_path / "events.yaml"  # a dedicated file: the mapping of mamori.yaml's events: key
    cfg.write_text("modes: {cloudtrail_stop_logging: act}\nnotify: [{channel: memory}]\n")
    args = ("events", "watch", "--s3", "s3://trail-logs/AWSLogs/", "--once", "--config", str(cfg), "--db", str(tmp_path / "m.db"), "-o", "json")
    prefix = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/02/"

    aws.client("cloudtrail").stop_logging(Name="org-trail")
    first = stop_logging(ident=role_session("ops-automation", "alice"), at=BASE_TIME)
    _put(aws, prefix + "123456789012_CloudTrail_us-east-1_20260302T1000Z_a.json.gz", [first])
    r = mamori(*args)
    assert r.code == 0, r.err
    poll = json.loads(r.out)
    assert [d["detection"] for d in poll["detections"]] == ["cloudtrail_stop_logging"]
    assert is_logging(aws)
    assert {x["responder"]: x["result"] for x in poll["detections"][0]["responses"]} == {"restart_trail": "applied", "notify": "sent"}

    aws.client("cloudtrail").stop_logging(Name="org-trail")
    second = stop_logging(ident=role_session("ops-automation", "bob"), at=BASE_TIME + timedelta(hours=3))
    _put(aws, prefix + "123456789012_CloudTrail_us-east-1_20260302T1300Z_b.json.gz", [second])
    poll = json.loads(mamori(*args).out)
    assert poll["batches"] == 1 and is_logging(aws)
    d = poll["detections"][0]
    assert d["offence"] == 2 and d["principal"]["arn"] == ROLE
    assert {x["responder"]: x["result"] for x in d["responses"]}["quarantine_principal"] == "applied"
    pol = aws.client("iam").get_role_policy(RoleName="ops-automation", PolicyName="mamori-quarantine")
    assert "cloudtrail:StopLogging" in json.dumps(pol["PolicyDocument"])

    assert json.loads(mamori(*args).out)["batches"] == 0  # checkpointed: nothing processed twice
    hist = json.loads(mamori("events", "history", "--principal", ROLE, "--db", str(tmp_path / "m.db"), "-o", "json").out)
    assert [h["event_id"] for h in hist] == [second["eventID"], first["eventID"]]
    assert [h["principal_arn"] for h in hist] == [ROLE, ROLE]
    offenders = json.loads(mamori("events", "offenders", "--db", str(tmp_path / "m.db"), "-o", "json").out)
    assert offenders[0]["principal"] == ROLE and offenders[0]["offences"] == 2
    table = mamori("events", "history", "--db", str(tmp_path / "m.db"))
    assert "restart_trail:applied" in table.out and "quarantine_principal:applied" in table.out
    fl = mamori("findings", "list", "-o", "json", "--db", str(tmp_path / "m.db"))
    assert fl.code == 0, fl.err
    findings = json.loads(fl.out)
    assert any(f["rule_id"] == "cloudtrail_stop_logging" and f["source"] == "events" for f in findings)
    # the changes are remediation changes: in the audit log (which verifies) and in `remediate list`
    entries = json.loads(mamori("audit", "list", "--action", "remediate.", "--db", str(tmp_path / "m.db"), "-o", "json").out)
    assert sum(e["action"] == "remediate.change" for e in entries) == 3  # two restarts, one quarantine
    assert mamori("audit", "verify", "--db", str(tmp_path / "m.db")).code == 0
    plans = json.loads(mamori("remediate", "list", "--db", str(tmp_path / "m.db"), "-o", "json").out)
    assert {p["source"] for p in plans} == {"events"}


def test_watch_sqs_once_and_usage_errors(aws: boto3.Session, mamori: Callable[..., Run], tmp_path: Path) -> None:
    url = aws.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    rec = stop_logging()
    aws.client("sqs").send_message(QueueUrl=url, MessageBody=orjson.dumps({"detail-type": "AWS API Call via CloudTrail", "detail": rec}).decode())
    r = mamori("events", "watch", "--sqs", url, "--once", "--wait", "0", "--db", str(tmp_path / "m.db"))
    assert r.code == 0 and "cloudtrail_stop_logging" in r.out and "restart_trail:planned" in r.out
    assert mamori("events", "watch", "--once").code == 2
    assert mamori("events", "watch", "--s3", "gs://x", "--once", "--db", str(tmp_path / "m.db")).code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("events:\n  modes: {x: sometimes}\n")
    r = mamori("events", "replay", str(tmp_path), "--config", str(bad), "--no-store")
    assert r.code == 2 and "events.modes.x" in r.err


def test_a_store_that_cannot_be_opened_stops_a_parallel_replay_with_its_error(
    mamori: Callable[..., Run], tmp_path: Path, monkeypatch: Any
) -> None:  # fmt: skip
    """The store opens once the readers have their first files: its failure still ends the run cleanly."""
    gen = generator()
    gen.write_archive(gen.generate(800, seed=5).records, tmp_path / "arch")
    assert len(list((tmp_path / "arch").rglob("*.json.gz"))) > 1, "several files: reader processes are forked"
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    r = mamori("events", "replay", str(tmp_path / "arch"), "--workers", "2", "-o", "json",
               "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none")  # fmt: skip
    assert r.code == 3, r.err
    assert "cannot migrate the store" in r.err and "Traceback" not in r.err
    assert r.out == "" and list(spool.iterdir()) == [], "no output, and the readers' spool directory is gone"
