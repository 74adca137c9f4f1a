"""Seed a store the size of a large organisation: findings over many accounts and 90 days of scores.

    python benchmarks/server_seed.py --db sqlite:///benchmarks/out/server/seed.db
    python benchmarks/server_seed.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test \
        [--findings 200000] [--accounts 1000] [--days 90]

What it writes (deterministic for a given ``seed``):

* ``findings``: rules drawn from the real rule library (their ids, titles, severities and
  resource types), spread over ``accounts`` accounts and six regions; status NEW 45 %,
  NOTIFIED 15 %, RESOLVED 32 %, SUPPRESSED ~8 % (through real suppressions by rule and
  account, linked in ``hub_finding_meta``, so the store is consistent: nothing reopens
  when the hub refreshes); a third of the sources are imports (securityhub, inspector,
  guardduty); first seen over the ``days`` days, so many open findings are past their SLA.
* ``hub_finding_meta``: a ``team`` tag on 40 % of the findings (owners by tag).
* ``finding_history``: the NEW entry of every finding and the RESOLVED / SUPPRESSED one.
* ``scans`` and ``scores``: one scan a day for ``days`` days over every account; score rows
  per standard (baseline, cis-aws-3.0, fsbp) and account (category ``*``) and per
  standard and category for all accounts (account ``*``), each account on its own trend.

Everything goes in with multi-row inserts in one transaction per table (no ORM, no row
at a time): 200,000 findings take well under a minute on SQLite.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert

from mamori.catalog.loader import standards
from mamori.findings import Store
from mamori.findings.tables import finding_history, finding_meta, scans, scores, suppressions
from mamori.findings.tables import findings as findings_table
from mamori.model.finding import FindingStatus, Severity, finding_id
from mamori.rules import load_rules
from mamori.standards.score import WEIGHTS

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2")
TEAMS = ("platform-sre", "payments", "data", "identity", "web", "mobile", "ml", "security")
IMPORTED = (("securityhub", 0.15), ("inspector", 0.12), ("guardduty", 0.06))
STANDARDS = ("baseline", "cis-aws-3.0", "fsbp")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHUNK = 5_000


@dataclass(frozen=True)
class SeedSummary:
    url: str
    findings: int
    accounts: int
    days: int
    statuses: dict[str, int]
    suppressions: int
    scans: int
    score_rows: int
    history_rows: int
    seconds: float


def account_ids(n: int) -> list[str]:
    """``n`` distinct 12-digit account ids (never the test fixtures' 111111111111 / 222222222222)."""
    return [f"{310000000000 + i * 7:012d}" for i in range(n)]


def _bulk(conn: Any, table: Table, rows: Iterator[dict[str, Any]] | Sequence[dict[str, Any]]) -> int:
    n, batch = 0, []
    for r in rows:
        batch.append(r)
        if len(batch) >= CHUNK:
            conn.execute(insert(table), batch)
            n += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        n += len(batch)
    return n


def _source(rnd: random.Random) -> str:
    x = rnd.random()
    for name, share in IMPORTED:
        if x < share:
            return name
        x -= share
    return "mamori"


def seed(
    url: str, findings: int = 200_000, accounts: int = 1_000, days: int = 90, *, seed: int = 14, now: datetime = NOW
) -> SeedSummary:
    """Fill the (migrated, ideally empty) store at ``url``; returns what was written."""
    t0 = time.perf_counter()
    rnd = random.Random(seed)
    rules = [r for r in load_rules([]) if r.spec.severity is not Severity.INFORMATIONAL] or list(load_rules([]))
    accts = account_ids(accounts)
    store = Store.open(url)
    engine = store.engine
    start = now - timedelta(days=days)
    scan_ids = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(days)]
    last_scan = scan_ids[-1]

    rows: list[dict[str, Any]] = []
    for i in range(findings):
        rule = rules[int(rnd.paretovariate(1.2) * 7) % len(rules)] if rnd.random() < 0.7 else rnd.choice(rules)
        acct = accts[min(accounts - 1, int(rnd.expovariate(3.0 / accounts)))] if rnd.random() < 0.5 else rnd.choice(accts)
        region = REGIONS[0] if rnd.random() < 0.5 else rnd.choice(REGIONS)
        rtype = rule.spec.resource_type
        short = rtype.rsplit(".", 1)[-1]
        rid = f"{short}-{i:07d}"
        service = rtype.split(".")[1] if rtype.count(".") >= 2 else "aws"
        first = start + timedelta(seconds=rnd.randrange(days * 86400))
        x = rnd.random()
        status = FindingStatus.NEW if x < 0.45 else FindingStatus.NOTIFIED if x < 0.60 else FindingStatus.RESOLVED
        resolved = first + (now - first) * rnd.random() if status is FindingStatus.RESOLVED else None
        rows.append(
            {
                "id": finding_id(rule.id, acct, region, rtype, rid), "source": _source(rnd), "rule_id": rule.id,
                "title": rule.spec.title, "severity": rule.spec.severity.value, "status": status.value,
                "resource_type": rtype, "resource_id": rid, "resource_arn": f"arn:aws:{service}:{region}:{acct}:{short}/{rid}",
                "account": acct, "region": region,
                "evidence": {"observed": {"setting": rnd.choice(("disabled", "public", "missing", "0"))}, "seeded": True},
                "first_seen": first, "last_seen": resolved or now, "resolved_at": resolved,
                "last_scan_id": last_scan, "times_reopened": 0,
            }
        )  # fmt: skip

    # Suppressions by rule and account, drawn from open findings until ~8 % are SUPPRESSED.
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if r["status"] != "RESOLVED":
            by_pair.setdefault((r["rule_id"], r["account"]), []).append(r)
    pairs = sorted(by_pair)
    rnd.shuffle(pairs)
    supp_rows: list[dict[str, Any]] = []
    suppressed_by: dict[str, str] = {}
    for k, (rule_id, acct) in enumerate(pairs):
        if len(suppressed_by) >= findings * 0.08:
            break
        sid = f"s-seed{k:07d}"
        supp_rows.append(
            {
                "id": sid, "rule_id": rule_id, "account": acct, "region": None, "resource_id": None, "finding_id": None,
                "tags": {}, "reason": f"accepted risk {k}", "approver": "ciso@example.com", "created_by": "seed",
                "created_at": start, "expires_at": now + timedelta(days=3650), "origin": "cli", "removed_at": None,
                "removed_by": None,
            }
        )  # fmt: skip
        for r in by_pair[(rule_id, acct)]:
            r["status"] = "SUPPRESSED"
            suppressed_by[r["id"]] = sid

    meta: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    statuses: dict[str, int] = {}
    for r in rows:
        fid, status = r["id"], r["status"]
        statuses[status] = statuses.get(status, 0) + 1
        tags = {"team": rnd.choice(TEAMS)} if rnd.random() < 0.4 else {}
        if tags or fid in suppressed_by:
            meta.append({"finding_id": fid, "tags": tags, "root_cause": None, "suppression_id": suppressed_by.get(fid)})
        history.append({"finding_id": fid, "scan_id": None, "at": r["first_seen"], "from_status": None, "to_status": "NEW",
                        "actor": "scan", "note": "first seen"})  # fmt: skip
        if status != "NEW" and status != "NOTIFIED":
            note = "passes now" if status == "RESOLVED" else f"suppressed by {suppressed_by[fid]}: accepted risk"
            history.append({"finding_id": fid, "scan_id": None, "at": r["resolved_at"] or r["first_seen"], "from_status": "NEW",
                            "to_status": status, "actor": "scan" if status == "RESOLVED" else "seed", "note": note})  # fmt: skip

    cats = {s: sorted({std.category_of(c) for c in std.controls()}) for s, std in standards().items() if s in STANDARDS}
    base = {a: 55 + 40 * rnd.random() for a in accts}
    slope = {a: rnd.uniform(-0.15, 0.25) for a in accts}
    weight_total = sum(WEIGHTS[r.spec.severity] for r in rules)

    def score_rows() -> Iterator[dict[str, Any]]:
        for d, scan_id in enumerate(scan_ids):
            at = start + timedelta(days=d + 1)
            for std in STANDARDS:
                for acct in accts:
                    pct = max(0.0, min(100.0, base[acct] + slope[acct] * d + rnd.uniform(-1.5, 1.5)))
                    wp = round(weight_total * pct / 100)
                    yield _score(scan_id, at, std, acct, "*", pct, wp, weight_total)
                for cat in (*cats.get(std, []), "*"):
                    pct = max(0.0, min(100.0, 70 + 0.1 * d + rnd.uniform(-3, 3)))
                    wt = weight_total * accounts
                    yield _score(scan_id, at, std, "*", cat, pct, round(wt * pct / 100), wt)

    scan_rows = [
        {
            "id": scan_id, "started_at": start + timedelta(days=d + 1) - timedelta(minutes=20),
            "finished_at": start + timedelta(days=d + 1), "duration_s": 1200.0, "source": "aws",
            "accounts": accts, "regions": list(REGIONS), "rules": [r.id for r in rules], "errors": [],
            "counts": {"fail": len(rows) // 2}, "resources": findings * 3,
        }
        for d, scan_id in enumerate(scan_ids)
    ]  # fmt: skip

    with engine.begin() as conn:
        _bulk(conn, scans, scan_rows)
        n_scores = _bulk(conn, scores, score_rows())
        _bulk(conn, suppressions, supp_rows)
        _bulk(conn, findings_table, rows)
        _bulk(conn, finding_meta, meta)
        n_hist = _bulk(conn, finding_history, history)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("COMMIT")
            for t in ("findings", "finding_history", "hub_finding_meta", "scores", "hub_suppressions"):
                conn.exec_driver_sql(f"ANALYZE {t}")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    store.close()
    return SeedSummary(url, len(rows), accounts, days, dict(sorted(statuses.items())), len(supp_rows), len(scan_rows),
                       n_scores, n_hist, round(time.perf_counter() - t0, 2))  # fmt: skip


def _score(scan_id: str, at: datetime, std: str, acct: str, cat: str, pct: float, wp: int, wt: int) -> dict[str, Any]:
    failed = max(0, round((100 - pct) / 4))
    return {"scan_id": scan_id, "at": at, "standard": std, "account": acct, "category": cat, "passed": 25 - min(25, failed),
            "failed": failed, "unknown": 0, "weight_passed": wp, "weight_total": wt, "score": round(pct, 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", required=True, help="store URL (an empty store: SQLite file or PostgreSQL schema)")
    p.add_argument("--findings", type=int, default=200_000)
    p.add_argument("--accounts", type=int, default=1_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--seed", type=int, default=14)
    a = p.parse_args(argv)
    out = seed(a.db, a.findings, a.accounts, a.days, seed=a.seed)
    json.dump(asdict(out), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
