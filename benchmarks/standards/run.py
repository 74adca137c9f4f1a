"""Standards figures: rules per standard and service, baseline coverage, the demo's time, the cost of
standards bookkeeping per scan, `standards show` and the HTML report on a large store.

    python benchmarks/standards/run.py [--resources 20000] [--demo-runs 3] [--no-demo]

(1) counts from the rule registry and the catalogues; (2) `mamori demo` run in a fresh
temporary directory (three times; medians), its "Scanned ..." line and total time parsed; (3) a synthetic
estate (the engine benchmark's generator: resources built from the rules' own cases,
spread over 50 accounts) evaluated once, then timed apart on a fresh SQLite store: the
scan's own record (findings lifecycle, scores) and the standards record (per-rule
per-account counts, coverage of three standards per account); then every standard's
control statuses (what `mamori standards show` computes) and the HTML report (gather +
render) over the stored findings. Output: benchmarks/out/standards/result.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mamori.catalog import standards
from mamori.config import Config
from mamori.engine import evaluate
from mamori.findings import Store
from mamori.report import gather, render
from mamori.rules import load_rules
from mamori.standards.docs import coverage_kind
from mamori.standards.score import score
from mamori.standards.status import rules_by_control
from mamori.standards.store import StandardsStore
from mamori.standards.view import standard_views

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "standards"


def registry() -> dict[str, Any]:
    rules = load_rules()
    mapping = {r.id: r.spec.controls for r in rules}
    per_std = {}
    for sid, std in standards().items():
        by = rules_by_control(mapping, sid)
        kinds = Counter(coverage_kind(std, c, by) for c in std.controls())
        per_std[sid] = {"controls": len(std.controls()), "rules": sum(1 for r in rules if r.spec.controls.get(sid)), **kinds}
    return {"rules": len(rules), "per_standard": per_std, "per_service": dict(sorted(Counter(r.spec.service for r in rules).items()))}


def demo() -> dict[str, Any]:
    exe = Path(sys.executable).with_name("mamori")
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("MAMORI_DB", "MAMORI_CONFIG")} | {"COLUMNS": "300"}
        t0 = time.perf_counter()
        proc = subprocess.run([str(exe), "demo"], cwd=tmp, env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
    m = re.search(r"Scanned (\d+) resources in (\d+) account\(s\), (\d+) region\(s\) with (\d+) rules in ([\d.]+)s \((\d+) API calls\)", proc.stdout)
    done = re.search(r"demo done in ([\d.]+)s", proc.stdout)
    seeded = re.search(r"seeded the estate \(.*?\) in ([\d.]+)s", proc.stdout)
    assert m and done and seeded, proc.stdout[-2000:]
    return {
        "scanned_line": m.group(0), "resources": int(m.group(1)), "rules": int(m.group(4)), "first_scan_s": float(m.group(5)),
        "api_calls": int(m.group(6)), "seeding_s": float(seeded.group(1)), "demo_s": float(done.group(1)), "wall_s": round(wall, 1),
    }  # fmt: skip


def store_costs(n: int) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("engine_throughput", HERE.parent / "engine_throughput.py")
    assert spec and spec.loader
    eng = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(eng)
    rules = load_rules()
    inv = eng.build(n, {r.id: r.spec.resource_type for r in rules})
    ev = evaluate(inv, rules)
    rows = score(ev.results, rules)
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "bench.db"
    for p in OUT.glob("bench.db*"):
        p.unlink()
    store = Store.open(f"sqlite:///{db}")
    titles = {r.id: r.spec.title for r in rules}
    t0 = time.perf_counter()
    summary = store.record_scan(inv, ev, titles, rows, started_at=inv.collected_at, finished_at=inv.collected_at)
    t_scan = time.perf_counter() - t0
    t0 = time.perf_counter()
    cov = StandardsStore(store.engine).record_scan(summary.scan_id, ev.results, rules, ev.rules_evaluated, inv.accounts, at=inv.collected_at)
    t_std = time.perf_counter() - t0
    t0 = time.perf_counter()
    views = standard_views(store, list(standards()), rules=rules)
    t_show = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = gather(store, rules, Config().hub)
    t_gather = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = render(data)
    t_render = time.perf_counter() - t0
    (OUT / "report.html").write_text(html, encoding="utf-8")
    store.close()
    return {
        "resources": len(inv), "accounts": len(inv.accounts), "results": len(ev.results), "failed": ev.counts.get("FAIL", 0),
        "record_scan_s": round(t_scan, 2), "record_standards_s": round(t_std, 3), "coverage_rows": len(cov),
        "standards_show_all_s": round(t_show, 3), "controls": sum(len(v.states) for v in views),
        "report_gather_s": round(t_gather, 2), "report_render_s": round(t_render, 2),
        "report_findings": len(data.findings), "report_mb": round(len(html.encode()) / 1e6, 1),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=20_000)
    ap.add_argument("--small", type=int, default=150, help="a demo-sized estate, for the per-scan overhead at that size")
    ap.add_argument("--demo-runs", type=int, default=3, help="run the demo this often (medians are reported)")
    ap.add_argument("--no-demo", action="store_true")
    args = ap.parse_args()
    result: dict[str, Any] = {"benchmark": "standards", "python": platform.python_version(), "cpus": os.cpu_count()}
    result["registry"] = registry()
    if not args.no_demo:
        runs = [demo() for _ in range(args.demo_runs)]
        result["demo"] = {**runs[0], **{k: statistics.median(r[k] for r in runs) for k in ("first_scan_s", "seeding_s", "demo_s", "wall_s")}}
        result["demo_runs"] = runs
    result["store_small"] = store_costs(args.small)
    result["store"] = store_costs(args.resources)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
