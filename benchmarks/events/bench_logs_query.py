"""`logs query` over 10 million stored events.

    python benchmarks/events/bench_logs_query.py --rows 10000000

Builds benchmarks/out/events/logs-<rows>.duckdb: the rows are generated inside DuckDB
(SQL over range(), deterministic: no Python loop) with the same columns as `logs ingest`;
5,000 principals and keys spread over the whole key space (md5), so min/max zone maps
cannot skip row groups for the key looked up,
then the generator's attack corpus is ingested through LogStore (the leaked key). Times
each query (first run on a fresh connection, then the median of 5) and the generation.
Writes benchmarks/out/events/logs_query.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import make_cloudtrail

from mamori.logs import LogStore
from mamori.logs.geoip import FastGeo
from mamori.logs.queries import key_activity, root_activity, timeline, top_denied

SOURCES = "['ec2','s3','iam','sts','kms','lambda','cloudtrail','logs','ssm','dynamodb']"
NAMES = "['DescribeInstances','GetObject','ListUsers','AssumeRole','Decrypt','Invoke','LookupEvents','PutLogEvents','GetParameter','Query']"

GEN_SQL = f"""
INSERT INTO events
SELECT
  'bench-' || i AS event_id,
  TIMESTAMP '2026-02-01 00:00:00' + to_milliseconds(i * 250) AS event_time,
  {SOURCES}[1 + (i % 10)] || '.amazonaws.com' AS event_source,
  {NAMES}[1 + ((i // 10) % 10)] AS event_name,
  ['ap-northeast-1','us-east-1','eu-west-1'][1 + (i % 3)] AS aws_region,
  '10.' || ((i * 7) % 256) || '.' || ((i * 13) % 256) || '.' || ((i * 31) % 256) AS source_ip,
  'Boto3/1.34.60' AS user_agent,
  CASE WHEN i % 250 = 0 THEN 'AccessDenied' END AS error_code,
  CASE WHEN i % 250 = 0 THEN 'not authorized' END AS error_message,
  'arn:aws:iam::' || ['111122223333','444455556666'][1 + (i % 2)] || ':'
    || CASE WHEN hash(i) % 5000 < 2500 THEN 'user/' ELSE 'role/' END || md5(CAST(hash(i) % 5000 AS VARCHAR)) AS principal_arn,
  CASE WHEN i % 100000 = 7 THEN 'Root' WHEN hash(i) % 5000 < 2500 THEN 'IAMUser' ELSE 'Role' END AS principal_type,
  'AKIA' || upper(substr(md5('k' || CAST(hash(i) % 5000 AS VARCHAR)), 1, 16)) AS access_key_id,
  ['111122223333','444455556666'][1 + (i % 2)] AS account,
  md5(CAST(hash(i) % 5000 AS VARCHAR)) AS user_name,
  NULL AS session_issuer, NULL AS invoked_by, 'AwsApiCall' AS event_type, true AS read_only,
  '{{"instancesSet":{{}}}}' AS request_parameters, NULL AS response_elements, NULL AS source_file,
  NULL AS user_identity, NULL AS additional_event_data
FROM range(?) t(i)
"""


def _time(fn: object, runs: int = 5) -> tuple[float, float]:
    assert callable(fn)
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    xs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        xs.append(time.perf_counter() - t0)
    return first, statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/events"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / f"logs-{args.rows}.duckdb"
    corpus = make_cloudtrail.generate(2000, seed=7)
    gen_s = None
    if not db.exists():
        t0 = time.perf_counter()
        with LogStore(db) as s:
            s.con.execute(GEN_SQL, [args.rows])
            s.insert_records(corpus.records, "attack-corpus")
            s.con.execute("CHECKPOINT")
        gen_s = time.perf_counter() - t0
    with LogStore(db, read_only=True) as s:
        total = s.count()
        geo = FastGeo()
        key = corpus.truth["leaked_key"]["access_key_id"]
        res = {
            "rows": total,
            "db_mb": round(db.stat().st_size / 2**20),
            "generation_seconds": round(gen_s, 1) if gen_s is not None else "cached",
        }
        for name, fn in {
            "key": lambda: key_activity(s.con, key, geo),
            "denied_top20": lambda: top_denied(s.con, 20),
            "timeline_principal": lambda: timeline(s.con, corpus.truth["stop_logging"]["principal"]),
            "root": lambda: root_activity(s.con),
        }.items():
            first, med = _time(fn)
            res[f"{name}_first_s"] = round(first, 3)
            res[f"{name}_median_s"] = round(med, 3)
        check = key_activity(s.con, key, geo).section("principal").dicts()[0]
        assert check["events"] == corpus.truth["leaked_key"]["events"], check
    (args.out / "logs_query.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
