"""Follow a CloudTrail S3 archive: every new object under a prefix, once.

The checkpoint is the set of processed keys per source (``s3://bucket/prefix``), not a
high-water mark: CloudTrail delivers files out of order (regions, accounts, late
deliveries), and a late file with an older name is still picked up. Keys are processed in
name order, which is time order within a region's folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mamori.events.errors import EventSourceError
from mamori.events.sources.base import Batch, Checkpoints

WANTED = (".json.gz", ".json", ".jsonl", ".jsonl.gz", ".gz")


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url!r}")
    rest = url[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {url!r}")
    return bucket, prefix


class S3Source:
    def __init__(self, url: str, client: Any, checkpoints: Checkpoints) -> None:
        self.bucket, self.prefix = parse_s3_url(url)
        self.name = f"s3://{self.bucket}/{self.prefix}"
        self.client = client
        self.checkpoints = checkpoints
        self._done: set[str] | None = None

    def pending(self) -> list[str]:
        if self._done is None:
            self._done = self.checkpoints.processed_keys(self.name)
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for obj in page.get("Contents", ()):
                    key = obj["Key"]
                    if key in self._done or not key.endswith(WANTED) or "/CloudTrail-Digest/" in key:
                        continue
                    keys.append(key)
        except (ClientError, BotoCoreError) as exc:
            raise EventSourceError(f"cannot list {self.name}: {exc}") from exc
        return sorted(keys)

    def poll(self) -> Iterator[Batch]:
        for key in self.pending():
            try:
                data = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            except (ClientError, BotoCoreError) as exc:
                # not acknowledged: tried again next poll
                yield Batch(key, [], ack=lambda r, m: None, ack_malformed=False, errors=[f"cannot read s3://{self.bucket}/{key}: {exc}"])
                continue
            yield Batch(key, [(f"s3://{self.bucket}/{key}", data)], ack=self._acker(key))

    def _acker(self, key: str) -> Any:
        def ack(records: int, malformed: int) -> None:
            self.checkpoints.mark_processed(self.name, key, records, malformed)
            assert self._done is not None
            self._done.add(key)

        return ack
