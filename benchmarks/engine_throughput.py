"""Engine throughput: every rule over a synthetic inventory of 100,000 resources, one core.

The resources are built from the rule case files (tests/rules/cases), so every resource
type that a rule reads is present with realistic properties, half passing and half
failing, replicated until the inventory holds --resources resources.

    python benchmarks/engine_throughput.py [--resources 100000] [--repeat 3]

Prints rule-resource evaluations per second (the goal: >= 200,000 on one core).
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import time
from pathlib import Path
from typing import Any

import yaml

from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

CASES = Path(__file__).resolve().parent.parent / "tests" / "rules" / "cases"


def templates(rule_types: dict[str, str]) -> list[dict[str, Any]]:
    """Resources from the PASS and FAIL cases, typed like the rule they test.

    A case only sets the properties its own rule reads; a collector fills them all. So
    each resource starts from the merged properties of every PASS case of its type and
    takes its own case's values on top: every rule of the type finds its data, as on a
    real inventory (otherwise most results would be UNKNOWN, which is not the work of a
    real scan).
    """
    cases: list[dict[str, Any]] = []
    base: dict[str, dict[str, Any]] = {}
    for p in sorted(CASES.rglob("*.yaml")):
        doc = yaml.safe_load(p.read_text())
        default = rule_types.get(p.stem, "aws.test.thing")
        for c in doc.get("cases") or []:
            if c.get("expect") in ("PASS", "FAIL"):
                res = {**c["resource"], "type": c["resource"].get("type", default)}
                cases.append(res)
                if c["expect"] == "PASS":
                    base.setdefault(res["type"], {}).update(res.get("properties") or {})
    return [{**c, "properties": {**base.get(c["type"], {}), **(c.get("properties") or {})}} for c in cases]


def build(n: int, rule_types: dict[str, str]) -> Inventory:
    tmpl = templates(rule_types)
    inv = Inventory()
    for i, t in zip(range(n), itertools.cycle(tmpl), strict=False):
        rtype = t["type"]
        inv.add(
            Resource(
                provider="aws",
                account=f"{100000000000 + i % 50}",
                region=("us-east-1", "eu-west-1", "ap-northeast-1")[i % 3],
                type=rtype,
                id=f"r-{i}",
                tags=t.get("tags") or {},
                properties=t.get("properties") or {},
            )
        )
    return inv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args()
    rules = load_rules()
    inv = build(args.resources, {r.id: r.spec.resource_type for r in rules})
    best = float("inf")
    evals = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ev = evaluate(inv, rules)
        dt = time.perf_counter() - t0
        best = min(best, dt)
        evals = ev.evaluations
    result = {
        "benchmark": "engine_throughput",
        "resources": len(inv),
        "resource_types": len(inv.types()),
        "rules": len(rules),
        "evaluations": evals,
        "results": dict(ev.counts),
        "best_seconds": round(best, 3),
        "evaluations_per_second": round(evals / best),
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>24}: {v}")


if __name__ == "__main__":
    main()
