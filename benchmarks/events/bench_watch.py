"""Time from a StopLogging record landing in S3 to the trail logging again, under `watch`.

    python benchmarks/events/bench_watch.py --interval 1 --trials 5

In-process moto (S3, CloudTrail, IAM): a trail is stopped, a CloudTrail log file holding the
StopLogging record is put in the archive bucket, and a watcher (act mode, polling every
``--interval`` s in a thread, store on SQLite) restarts it. The clock runs from the
PutObject to the first GetTrailStatus that says IsLogging. The expected value is about half
the interval plus one poll's processing time. Writes benchmarks/out/events/watch.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import orjson
from moto import mock_aws

from mamori.collect.aws.session import AwsTarget
from mamori.events import Matcher, load_detections
from mamori.events.config import EventsConfig
from mamori.events.processor import Processor
from mamori.events.run import RunReport, Watcher
from mamori.events.schema import ResponseMode
from mamori.events.sources import S3Source
from mamori.events.store import EventStore
from mamori.findings import Store
from mamori.remediate.clients import Clients


def _record(i: int) -> dict[str, object]:
    acct = "123456789012"
    return {
        "eventVersion": "1.09", "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2", "requestParameters": {"name": "org-trail"},
        "responseElements": None, "eventID": f"bench-watch-{i}-{time.time_ns()}", "eventType": "AwsApiCall",
        "recipientAccountId": acct,
        "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{acct}:assumed-role/ops/s{i}", "accountId": acct,
                         "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{acct}:role/ops-{i}"}}},
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/events"))
    args = ap.parse_args()
    for k, v in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        os.environ.setdefault(k, v)
    lat: list[float] = []
    polls: list[float] = []
    with mock_aws(), tempfile.TemporaryDirectory() as tmp:
        sess = boto3.Session(region_name="us-east-1")
        s3, ct = sess.client("s3"), sess.client("cloudtrail")
        s3.create_bucket(Bucket="trail-logs")
        ct.create_trail(Name="org-trail", S3BucketName="trail-logs")
        store = Store.open(f"sqlite:///{tmp}/m.db")
        cfg = EventsConfig(modes={"cloudtrail_stop_logging": ResponseMode.ACT})
        clients = Clients.assuming(AwsTarget(), session_factory=lambda: sess)
        proc = Processor(Matcher(load_detections()), cfg, EventStore(store.engine), store, clients, [])
        watcher = Watcher(S3Source("s3://trail-logs/AWSLogs/", sess.client("s3"), EventStore(store.engine)), proc)
        stop = threading.Event()

        def on_poll(rep: RunReport) -> None:
            if rep.batches:
                polls.append(rep.seconds)

        def loop() -> None:
            while not stop.is_set():
                started = time.monotonic()
                on_poll(watcher.poll_once())
                stop.wait(max(0.0, args.interval - (time.monotonic() - started)))

        th = threading.Thread(target=loop, daemon=True)
        th.start()
        for i in range(args.trials):
            ct.stop_logging(Name="org-trail")
            time.sleep(args.interval * 0.37)  # land at a different phase of the poll cycle each time
            key = f"AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/02/123456789012_CloudTrail_us-east-1_{i:04d}.json.gz"
            s3.put_object(Bucket="trail-logs", Key=key, Body=gzip.compress(orjson.dumps({"Records": [_record(i)]})))
            t0 = time.perf_counter()
            while not ct.get_trail_status(Name="org-trail")["IsLogging"]:
                time.sleep(0.01)
                if time.perf_counter() - t0 > 30:
                    raise SystemExit("the trail was not restarted within 30 s")
            lat.append(time.perf_counter() - t0)
        stop.set()
        th.join()
    res = {
        "interval_s": args.interval, "trials": args.trials, "latency_s": [round(x, 3) for x in lat],
        "median_s": round(statistics.median(lat), 3), "max_s": round(max(lat), 3),
        "poll_processing_median_s": round(statistics.median(polls), 3) if polls else None,
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "watch.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
