"""Ingest throughput: 100,000 imported findings (Inspector v2 shape), new and then updates, into SQLite and PostgreSQL.

    python benchmarks/hub/ingest.py [--findings 100000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Writes a generated Inspector2 ListFindings file to benchmarks/out/hub/, then for each
store: (1) imports it into an empty store (100,000 new findings), (2) imports a second
generation of the same findings in which every finding was observed again, 10% were
closed and 2% are new CVEs (100,000 updates). Parsing and storing are timed apart; the
goal is < 30 s for each whole ingest (DefectDojo users report ~10 min for 30,000).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, text

from mamori.findings import Store
from mamori.hub.importers import read_file

OUT = Path(__file__).resolve().parents[1] / "out" / "hub"


def finding(i: int, gen: int) -> dict[str, Any]:
    ami = f"ami-{i // 1200:017x}"  # 1,200 CVEs per image, like the 2017 AMI
    closed = gen == 2 and i % 10 == 0
    cve = f"CVE-20{17 + i % 7}-{i:06d}" if not (gen == 2 and i % 50 == 1) else f"CVE-2026-{i:06d}"
    arn_id = f"{i:032x}" if not (gen == 2 and i % 50 == 1) else f"{i:031x}f"
    return {
        "awsAccountId": f"{100000000000 + i % 20}",
        "findingArn": f"arn:aws:inspector2:ap-northeast-1:{100000000000 + i % 20}:finding/{arn_id}",
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{cve} - openssl",
        "description": "A flaw in OpenSSL.",
        "severity": ("CRITICAL", "HIGH", "MEDIUM", "LOW")[i % 4],
        "status": "CLOSED" if closed else "ACTIVE",
        "firstObservedAt": "2026-10-01T00:00:00Z",
        "lastObservedAt": f"2026-11-{10 + gen:02d}T00:00:00Z",
        "updatedAt": f"2026-11-{10 + gen:02d}T00:00:00Z",
        "packageVulnerabilityDetails": {"vulnerabilityId": cve, "vulnerablePackages": [{"name": "openssl", "version": "1.0.1k"}]},
        "resources": [
            {
                "type": "AWS_EC2_INSTANCE", "id": f"i-{i % 5000:017x}", "region": "ap-northeast-1",
                "tags": {"team": f"team-{i % 12}"}, "details": {"awsEc2Instance": {"imageId": ami}},
            }
        ],
    }  # fmt: skip


def make(n: int, gen: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    p = OUT / f"inspector-{n}-gen{gen}.json"
    if not p.exists():
        p.write_bytes(orjson.dumps({"findings": [finding(i, gen) for i in range(n)]}))
    return p


def ingest(store: Store, path: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    batch = read_file(path)
    t1 = time.perf_counter()
    counts = store.upsert_findings((i.finding for i in batch.items), actor="bench", meta={i.finding.id: i.meta for i in batch.items})
    t2 = time.perf_counter()
    return {"parse_s": round(t1 - t0, 2), "store_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2), **counts}


def pg_url(base: str) -> tuple[str, str]:
    schema = f"mamori_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    files = [make(args.findings, 1), make(args.findings, 2)]
    results: dict[str, Any] = {"machine": f"{platform.machine()} {platform.python_version()}", "findings": args.findings}
    db = OUT / "ingest.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    targets = [("sqlite", f"sqlite:///{db}", None)]
    if args.pg:
        url, schema = pg_url(args.pg)
        targets.append(("postgresql", url, schema))
    for name, url, schema in targets:
        store = Store.open(url)
        try:
            results[name] = {"new": ingest(store, files[0]), "updates": ingest(store, files[1]), "again": ingest(store, files[1])}
        finally:
            store.close()
            if schema:
                with create_engine(args.pg).begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(json.dumps(results, indent=2))
    (OUT / "ingest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
