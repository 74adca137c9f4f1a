"""Remediation on the demo estate: how many findings are auto-fixable, how long plan and apply take,
and what a rescan says afterwards.

    python benchmarks/remediate/run.py                      # the demo estate as `mamori demo` builds it
    python benchmarks/remediate/run.py --extra-buckets 0,200 # plus N buckets without Block Public Access

Per size: start moto's server in this process, seed the demo estate (two accounts via
AssumeRole, two regions), scan it into a fresh SQLite store exactly as `mamori demo`
does, then plan every rule that has a remediation action (all rules treated as
`manual`, i.e. applied on request), apply the plan, rescan, and plan + apply once more
(which must change nothing). Writes benchmarks/out/remediate/results.json.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3

from mamori.cli.demo import demo_targets
from mamori.collect.aws.multi import collect_accounts
from mamori.config import Config
from mamori.config.guardrails import GuardrailsConfig
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials, moto_server, seed_estate
from mamori.findings import FindingFilter, Store
from mamori.model.finding import FindingStatus
from mamori.remediate.action import bindings
from mamori.remediate.apply import apply_plan
from mamori.remediate.clients import Clients
from mamori.remediate.planner import Selector, effective_rule_params, plan_from_store
from mamori.remediate.repo import RemediationStore
from mamori.rules import load_rules
from mamori.scan.service import run_scan

OUT = Path(__file__).resolve().parents[1] / "out" / "remediate"
OPEN = (FindingStatus.NEW, FindingStatus.NOTIFIED)


def _by_rule(store: Store) -> dict[str, int]:
    bound = set(bindings())
    out: dict[str, int] = {}
    for f in store.findings(FindingFilter(statuses=OPEN)):
        if f.rule_id in bound:
            out[f.rule_id] = out.get(f.rule_id, 0) + 1
    return dict(sorted(out.items()))


def _open_counts(store: Store) -> tuple[int, int]:
    fs = store.findings(FindingFilter(statuses=OPEN))
    bound = set(bindings())
    return len(fs), sum(1 for f in fs if f.rule_id in bound)


def _mutating(clients: Clients) -> int:
    reads = ("Describe", "Get", "List", "Generate", "Lookup", "Head", "Select", "Search")
    return sum(n for name, n in clients.calls().items() if not name.split(".", 1)[1].startswith(reads) and not name.endswith("AssumeRole"))


def run(extra_buckets: int) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"demo-{extra_buckets}.db"
    db.unlink(missing_ok=True)
    store = Store.open(str(db))
    rules = load_rules()
    cfg = Config()
    guard = GuardrailsConfig(verify_delay_seconds=1.0)
    params = effective_rule_params(rules, cfg.params)
    with fake_credentials(), moto_server() as endpoint:
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"), timeout=30)  # one process, one backend
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        seed_estate(SeedEnv(session=session, endpoint_url=endpoint))
        s3 = session.client("s3", region_name="us-east-1", endpoint_url=endpoint)
        for i in range(extra_buckets):
            s3.create_bucket(Bucket=f"bench-open-{i:05d}")

        def scan() -> float:
            t = time.perf_counter()
            res = collect_accounts(demo_targets(endpoint))
            run_scan(res.inventory, rules, store=store, params=cfg.params)
            return time.perf_counter() - t

        scan_s = scan()
        open_before, fixable_before = _open_counts(store)
        by_rule = _by_rule(store)
        clients = Clients.from_targets(demo_targets(endpoint))
        rstore = RemediationStore(store.engine)
        t = time.perf_counter()
        plan = plan_from_store(store, clients, guard, Selector(), actor="bench", rule_params=params)
        plan_s = time.perf_counter() - t
        mutating_during_plan = _mutating(clients)
        t = time.perf_counter()
        report = apply_plan(rstore, clients, plan, guard, actor="bench")
        apply_s = time.perf_counter() - t
        mutating_apply = _mutating(clients) - mutating_during_plan
        rescan_s = scan()
        open_after, fixable_after = _open_counts(store)
        before_again = _mutating(clients)
        replan = plan_from_store(store, clients, guard, Selector(), actor="bench", rule_params=params)
        again = apply_plan(rstore, clients, replan, guard, actor="bench")
        return {
            "extra_buckets": extra_buckets,
            "scan_s": round(scan_s, 2),
            "open_findings_before": open_before,
            "auto_fixable_before": fixable_before,
            "auto_fixable_by_rule": by_rule,
            "plan_changes": plan.counts(),
            "plan_s": round(plan_s, 2),
            "mutating_calls_during_plan": mutating_during_plan,
            "apply_outcome": report.plan.counts(),
            "apply_s": round(apply_s, 2),
            "mutating_calls_apply": mutating_apply,
            "rescan_s": round(rescan_s, 2),
            "open_findings_after": open_after,
            "auto_fixable_after": fixable_after,
            "replan_changes": replan.counts(),
            "mutating_calls_reapply": _mutating(clients) - before_again,
            "reapply_attempted": len(again.attempted),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--extra-buckets", default="0", help="comma-separated sizes (default: 0)")
    args = ap.parse_args()
    results = [run(int(n)) for n in args.extra_buckets.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print("\n| extra buckets | open findings | auto-fixable | plan | apply | mutating calls (plan / apply / re-apply) | open after rescan | auto-fixable after |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['extra_buckets']} | {r['open_findings_before']} | {r['auto_fixable_before']} | {r['plan_s']} s | {r['apply_s']} s "
              f"| {r['mutating_calls_during_plan']} / {r['mutating_calls_apply']} / {r['mutating_calls_reapply']} "
              f"| {r['open_findings_after']} | {r['auto_fixable_after']} |")


if __name__ == "__main__":
    main()
