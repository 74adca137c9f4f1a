"""Follow an SQS queue of EventBridge CloudTrail events (or S3 notifications of new log files).

A message body may be: an EventBridge event (``detail-type: AWS API Call via CloudTrail``),
the same wrapped in an SNS notification, or an S3 event notification naming new CloudTrail
objects (which are then read from S3). A message is deleted only after its records were
processed and recorded; one that holds nothing usable is left to the queue's redrive
policy (dead-letter queue) and reported.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import orjson
from botocore.exceptions import BotoCoreError, ClientError

from mamori.events.errors import EventSourceError
from mamori.events.sources.base import Batch


class SqsSource:
    def __init__(self, queue_url: str, client: Any, s3_client: Any = None, *, wait_seconds: int = 1, max_messages: int = 500) -> None:
        self.queue_url = queue_url
        self.name = queue_url
        self.client = client
        self.s3 = s3_client
        self.wait_seconds = wait_seconds
        self.max_messages = max_messages

    def poll(self) -> Iterator[Batch]:
        seen = 0
        while seen < self.max_messages:
            try:
                resp = self.client.receive_message(
                    QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=self.wait_seconds
                )
            except (ClientError, BotoCoreError) as exc:
                raise EventSourceError(f"cannot receive from {self.queue_url}: {exc}") from exc
            msgs = resp.get("Messages") or []
            if not msgs:
                return
            for msg in msgs:
                seen += 1
                yield self._batch(msg)

    def _batch(self, msg: dict[str, Any]) -> Batch:
        mid = str(msg.get("MessageId", "?"))
        body = msg.get("Body", "")
        raw = body.encode() if isinstance(body, str) else bytes(body)
        where = f"sqs:{mid}"
        batch = Batch(mid, [(where, raw)], ack=self._acker(msg["ReceiptHandle"]), ack_malformed=False)
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return batch  # the reader reports it as malformed
        if isinstance(doc, dict) and doc.get("Type") == "Notification" and isinstance(doc.get("Message"), str):
            batch.parts = [(where, doc["Message"].encode())]  # SNS envelope
            try:
                doc = orjson.loads(doc["Message"])
            except orjson.JSONDecodeError:
                return batch
        if isinstance(doc, dict) and doc.get("Event") == "s3:TestEvent":
            batch.parts = []
            batch.ack_malformed = True
            return batch
        recs = doc.get("Records") if isinstance(doc, dict) else None
        if isinstance(recs, list) and recs and isinstance(recs[0], dict) and recs[0].get("eventSource") == "aws:s3":
            batch.parts = []
            for r in recs:
                bucket = (r.get("s3") or {}).get("bucket", {}).get("name")
                key = urllib.parse.unquote_plus((r.get("s3") or {}).get("object", {}).get("key", ""))
                if not bucket or not key or "/CloudTrail-Digest/" in key:
                    continue
                if self.s3 is None:
                    raise EventSourceError("an S3 notification arrived but no S3 client was given")
                try:
                    data = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                except (ClientError, BotoCoreError) as exc:
                    batch.errors.append(f"cannot read s3://{bucket}/{key}: {exc}")
                    batch.ack = lambda r, m: None  # retry the whole message later
                    continue
                batch.parts.append((f"s3://{bucket}/{key}", data))
            batch.ack_malformed = True
        return batch

    def _acker(self, receipt: str) -> Any:
        def ack(records: int, malformed: int) -> None:
            try:
                self.client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=receipt)
            except (ClientError, BotoCoreError) as exc:
                raise EventSourceError(f"cannot delete a message from {self.queue_url}: {exc}") from exc

        return ack
