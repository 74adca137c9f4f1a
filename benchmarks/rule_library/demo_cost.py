"""What the rule library's services cost the demo: seeding, collection and API calls, with and without them.

Runs the demo estate the way `mamori demo` does (moto's server in-process, both accounts,
both Regions), each variant in a fresh subprocess so that the emulator starts empty:

* ``all``: every seeder and collector;
* ``without``: without the services named by ``--services`` (their seeders and collectors).

    python benchmarks/rule_library/demo_cost.py [--runs 3] [--services efs,ecr,elb,elbv2,cloudfront,backup,dynamodb]

Prints one JSON line per run and a summary (medians) to stdout; writes them to
benchmarks/out/rule_library_demo_cost.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT = "efs,ecr,elb,elbv2,cloudfront,backup,dynamodb"
OUT = Path(__file__).resolve().parents[1] / "out" / "rule_library_demo_cost.json"


def one_run(excluded: set[str]) -> dict[str, Any]:
    import boto3

    from mamori.cli.demo import demo_targets
    from mamori.collect.aws.base import COLLECTORS
    from mamori.collect.aws.multi import collect_accounts
    from mamori.collect.aws.runner import load_collectors
    from mamori.demo.estate import (
        DEMO_REGIONS,
        ORDER,
        SEEDERS,
        SeedEnv,
        fake_credentials,
        load_seeders,
        moto_server,
    )
    from mamori.engine import evaluate
    from mamori.rules import load_rules

    load_seeders()
    load_collectors()
    services = [n for n in COLLECTORS if n not in excluded]
    with fake_credentials(), moto_server() as endpoint:
        env = SeedEnv(session=boto3.Session(region_name=DEMO_REGIONS[0]), endpoint_url=endpoint)
        t0 = time.perf_counter()
        for name in sorted(SEEDERS, key=lambda n: (ORDER.get(n, 50), n)):
            if name not in excluded:
                SEEDERS.get(name)(env)
        seeded = time.perf_counter() - t0
        t1 = time.perf_counter()
        res = collect_accounts(demo_targets(endpoint), services=services)
        collected = time.perf_counter() - t1
        t2 = time.perf_counter()
        ev = evaluate(res.inventory, load_rules())
        evaluated = time.perf_counter() - t2
    per_service: Counter[str] = Counter()
    for acct in res.accounts:
        for call, n in acct.calls.calls.items():
            per_service[call.split(".")[0]] += n
    return {
        "seed_s": round(seeded, 2),
        "collect_s": round(collected, 2),
        "evaluate_s": round(evaluated, 3),
        "api_calls": res.api_calls,
        "resources": len(res.inventory),
        "results": len(ev.results),
        "calls_by_service": dict(sorted(per_service.items())),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--services", default=DEFAULT, help="comma-separated seeder/collector names to leave out")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(one_run({s for s in args.child.split(",") if s})))
        return
    runs: dict[str, list[dict[str, Any]]] = {"all": [], "without": []}
    for _ in range(args.runs):
        for variant, excluded in (("all", ""), ("without", args.services)):
            out = subprocess.run([sys.executable, __file__, "--child", excluded], capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            runs[variant].append(row)
            print(json.dumps({"variant": variant, **row}))
    summary = {
        v: {k: statistics.median(r[k] for r in rows) for k in ("seed_s", "collect_s", "evaluate_s", "api_calls", "resources")}
        for v, rows in runs.items()
    }
    print(json.dumps({"median": summary, "left_out": args.services}))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"runs": runs, "median": summary, "left_out": args.services}, indent=2))


if __name__ == "__main__":
    main()
