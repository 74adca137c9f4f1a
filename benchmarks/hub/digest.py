"""Digest build time over 10,000 open findings (one old AMI with 1,200 CVEs among them).

    python benchmarks/hub/digest.py [--findings 10000] [--repeat 5]

Measures (a) the pure digest build (owners, SLA, routing, root-cause grouping, messages)
over findings already in memory, and (b) the notify planning step end to end: reading
the NEW findings and their metadata from a SQLite store, then (a). Goal: < 1 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from mamori.config import Config
from mamori.findings import Store
from mamori.hub.digest import build_groups, digests
from mamori.hub.dispatch import Dispatcher
from mamori.hub.routing import route_all
from mamori.hub.view import enrich
from mamori.model import Finding, FindingStatus, Severity
from mamori.model.finding import FindingMeta

OUT = Path(__file__).resolve().parents[1] / "out" / "hub"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
SEVS = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
CFG = Config.model_validate(
    {
        "owners": {"default": "security", "tags": [{"key": "team"}], "accounts": {"100000000001": "sre"}},
        "notifications": {
            "channels": {"sec": {"type": "memory"}, "sre": {"type": "memory"}},
            "routes": [{"channels": ["sec"], "min_severity": "high"}, {"channels": ["sre"], "owners": ["sre", "team-3"]}],
        },
    }
)


def generate(n: int) -> tuple[list[Finding], dict[str, FindingMeta]]:
    items, meta = [], {}
    for i in range(n):
        ami = "ami-0c1a2017deadbeef0" if i < 1200 else f"ami-{i // 40:017x}"
        f = Finding(
            f"{i:024x}", f"CVE-20{17 + i % 7}-{i:06d}", "openssl", SEVS[i % 4], FindingStatus.NEW, "aws.ec2.instance",
            f"i-{i % 3000:017x}", "", f"{100000000000 + i % 20}", "ap-northeast-1", {"family": "inspector:PACKAGE_VULNERABILITY"},
            T0, T0, source="inspector",
        )  # fmt: skip
        items.append(f)
        meta[f.id] = FindingMeta({"team": f"team-{i % 12}"}, ami)
    return items, meta


def pure(items: list[Finding], meta: dict[str, FindingMeta]) -> tuple[float, int]:
    m = {k: {"tags": dict(v.tags), "root_cause": v.root_cause} for k, v in meta.items()}
    t = time.perf_counter()
    rows = enrich(items, m, CFG.owners, CFG.sla, T0)
    msgs = [n for hs in route_all(CFG.notifications, rows).values() for n in digests(build_groups(hs))]
    return time.perf_counter() - t, len(msgs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    items, meta = generate(args.findings)
    runs = [pure(items, meta) for _ in range(args.repeat)]
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "digest.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{db}")
    store.upsert_findings(items, actor="bench", meta=meta, now=T0)
    planned = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        plan = Dispatcher(store, CFG.hub).plan(T0)
        planned.append(time.perf_counter() - t)
    store.close()
    result = {
        "machine": f"{platform.machine()} {platform.python_version()}",
        "findings": args.findings,
        "digest_build_s_median": round(statistics.median(r[0] for r in runs), 3),
        "messages": runs[0][1],
        "plan_from_store_s_median": round(statistics.median(planned), 3),
        "messages_by_channel": {c: len(ns) for c, ns in plan.items()},
        "largest_group": plan["sec"][0].subject,
    }
    print(json.dumps(result, indent=2))
    (OUT / "digest.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
