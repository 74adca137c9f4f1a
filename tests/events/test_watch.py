"""Watching S3 and SQS (moto): checkpoints survive a crash — nothing twice, nothing skipped."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from sqlalchemy import func, select

from mamori.collect.aws.session import ApiCounter, AwsTarget
from mamori.events import DetectionSet, Matcher
from mamori.events.config import EventsConfig
from mamori.events.processor import Outcome, Processor
from mamori.events.responders import ResponseResult
from mamori.events.run import Watcher
from mamori.events.schema import ResponseMode
from mamori.events.sources import S3Source, SqsSource
from mamori.events.store import EventStore
from mamori.events.tables import event_detections, event_responses
from mamori.findings import Store
from mamori.notify.channels import MemoryNotifier
from mamori.remediate.clients import Clients

from .conftest import is_logging
from .helpers import generator, stop_logging


class Crash(BaseException):
    """A power cut: not an error one record could cause, so the run stops (a RuntimeError is isolated per record)."""


class CrashingProcessor(Processor):
    crash_after: int = 10**9

    def process(self, record: Any, source: str = "") -> list[Outcome]:
        if self.counts.events >= self.crash_after:
            raise Crash("power cut")
        return super().process(record, source)


def _processor(sess: boto3.Session, detections: DetectionSet, store: Store, cls: type[Processor] = Processor,
               cfg: EventsConfig | None = None) -> tuple[Processor, ApiCounter]:  # fmt: skip
    counter = ApiCounter()
    clients = Clients.assuming(AwsTarget(), session_factory=lambda: sess, counter=counter)
    return cls(Matcher(detections), cfg or EventsConfig(), EventStore(store.engine), store, clients, [MemoryNotifier()]), counter


def _upload(sess: boto3.Session, root: Path, bucket: str = "trail-logs") -> list[str]:
    s3 = sess.client("s3")
    keys = []
    for p in sorted(root.rglob("*.json.gz")):
        key = str(p.relative_to(root))
        s3.put_object(Bucket=bucket, Key=key, Body=p.read_bytes())
        keys.append(key)
    return keys


def _recorded(store: Store) -> Counter[str]:
    with store.engine.connect() as conn:
        return Counter({d: n for d, n in conn.execute(select(event_detections.c.detection_id, func.count()).group_by(event_detections.c.detection_id))})


def test_s3_restart_in_the_middle_processes_nothing_twice_and_skips_nothing(
    aws: boto3.Session, detections: DetectionSet, tmp_path: Path
) -> None:
    gen = generator()
    corpus = gen.generate(1500, seed=11)
    gen.write_archive(corpus.records, tmp_path / "arch", minutes=10)
    keys = _upload(aws, tmp_path / "arch")
    assert len(keys) > 10
    store = Store.open(f"sqlite:///{tmp_path}/m.db")
    src_url = "s3://trail-logs/AWSLogs/"

    proc, _ = _processor(aws, detections, store, CrashingProcessor)
    assert isinstance(proc, CrashingProcessor)
    proc.crash_after = len(corpus.records) // 2
    with pytest.raises(Crash):
        Watcher(S3Source(src_url, aws.client("s3"), EventStore(store.engine)), proc).poll_once()
    done_before = len(EventStore(store.engine).processed_keys(src_url))
    assert 0 < done_before < len(keys)

    proc2, _ = _processor(aws, detections, store)
    rep = Watcher(S3Source(src_url, aws.client("s3"), EventStore(store.engine)), proc2).poll_once()
    assert rep.batches == len(keys) - done_before and rep.acked == rep.batches
    assert _recorded(store) == Counter(corpus.truth["expect"])  # every detection exactly once
    with store.engine.connect() as conn:
        n_resp = conn.execute(select(func.count()).select_from(event_responses)).scalar_one()
        n_keys = conn.execute(select(func.count(func.distinct(event_responses.c.event_id)))).scalar_one()
    assert n_resp >= sum(corpus.truth["expect"].values()) and n_keys > 0

    # nothing new: nothing read; a late file with an older name: picked up
    again = Watcher(S3Source(src_url, aws.client("s3"), EventStore(store.engine)), proc2)
    assert again.poll_once().batches == 0
    late = stop_logging(ident=None)
    aws.client("s3").put_object(Bucket="trail-logs", Key="AWSLogs/123456789012/CloudTrail/us-east-1/2020/01/01/late.json.gz",
                                Body=gzip.compress(orjson.dumps({"Records": [late]})))  # fmt: skip
    rep = again.poll_once()
    assert rep.batches == 1 and [o.match.event_id for o in rep.outcomes] == [late["eventID"]]


def test_s3_malformed_object_is_reported_and_checkpointed(aws: boto3.Session, detections: DetectionSet, tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/m.db")
    s3 = aws.client("s3")
    s3.put_object(Bucket="trail-logs", Key="AWSLogs/a/bad.json.gz", Body=b"\x1f\x8b-not-gzip")
    s3.put_object(Bucket="trail-logs", Key="AWSLogs/a/good.json", Body=orjson.dumps({"Records": [stop_logging(), {"eventID": 1}]}))
    proc, _ = _processor(aws, detections, store)
    rep = Watcher(S3Source("s3://trail-logs/AWSLogs/", s3, EventStore(store.engine)), proc).poll_once()
    assert rep.stats.records == 1 and rep.stats.malformed_count == 2 and rep.acked == 2
    assert {(m.source, m.where) for m in rep.stats.malformed} == {
        ("s3://trail-logs/AWSLogs/a/bad.json.gz", ""), ("s3://trail-logs/AWSLogs/a/good.json", "record 1")}


def _eventbridge(rec: dict[str, Any]) -> str:
    return orjson.dumps({"version": "0", "id": rec["eventID"], "detail-type": "AWS API Call via CloudTrail",
                         "source": "aws.cloudtrail", "account": rec["recipientAccountId"], "time": rec["eventTime"],
                         "region": rec["awsRegion"], "resources": [], "detail": rec}).decode()  # fmt: skip


def test_sqs_deletes_only_what_was_recorded_and_responds_once(aws: boto3.Session, detections: DetectionSet, tmp_path: Path) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="ct-events")["QueueUrl"]
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    rec = stop_logging()
    sqs.send_message(QueueUrl=url, MessageBody=_eventbridge(rec))
    sqs.send_message(QueueUrl=url, MessageBody=_eventbridge(rec))  # EventBridge delivers at least once
    sqs.send_message(QueueUrl=url, MessageBody="{definitely not json")
    other = stop_logging(ident=None)
    s3key = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/02/x.json.gz"
    aws.client("s3").put_object(Bucket="trail-logs", Key=s3key, Body=gzip.compress(orjson.dumps({"Records": [other]})))
    sqs.send_message(QueueUrl=url, MessageBody=orjson.dumps({"Type": "Notification", "Message": orjson.dumps(
        {"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": "trail-logs"}, "object": {"key": s3key}}}]}).decode()}).decode())  # fmt: skip
    store = Store.open(f"sqlite:///{tmp_path}/m.db")
    proc, counter = _processor(aws, detections, store, cfg=EventsConfig(modes={"cloudtrail_stop_logging": ResponseMode.ACT}))
    rep = Watcher(SqsSource(url, sqs, aws.client("s3"), wait_seconds=0), proc).poll_once()
    assert rep.batches == 4 and rep.acked == 3 and rep.stats.malformed_count == 1
    assert any("left for the queue's redrive policy" in e for e in rep.errors)
    assert is_logging(aws)
    # rec restarts the trail once; other (a second StopLogging event) finds it logging again: nothing to change
    assert counter.calls["cloudtrail.StartLogging"] == 1
    [later] = [r for o in rep.outcomes if o.match.event_id == other["eventID"] for r in o.responses if r.responder == "restart_trail"]
    assert later.result is ResponseResult.SKIPPED and "the trail is logging" in later.error
    assert sorted(o.duplicate for o in rep.outcomes if o.match.event_id == rec["eventID"]) == [False, True]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 1
