"""Where the end-to-end time of `mamori gate secrets` goes, phase by phase (CPU and wall).

    python benchmarks/secrets/bench_phases.py --tree DIR [--jobs 1 2] [--runs 3]

Each run is a fresh interpreter (as the command is) that goes through what the command does, with a
clock between the phases: imports (the CLI module, the service and the report), loading the config
(``.mamori-secrets.yaml`` where the tree is in this repository), building the scanner, the scan
(listing, reading and scanning; the workers' CPU is reported apart), and rendering the JSON report.
Interpreter start-up is measured on its own (``python -c pass``). Also timed in-process: listing the
tree alone. Prints the best run (least total CPU) per jobs value as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, os, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), r.ru_utime + r.ru_stime, c.ru_utime + c.ru_stime
marks = [("start", *cpu())]
def mark(name): marks.append((name, *cpu()))
from mamori.cli import gate_secrets
from mamori.gate.secrets.report import ReportContext, render
from mamori.gate.secrets import api, files, service
mark("imports")
from pathlib import Path
tree, jobs = Path(sys.argv[1]), int(sys.argv[2])
req = service.SecretsRequest(paths=(tree,), jobs=jobs)
res = service.resolve(req)
settings = api.Settings.from_config(res.config, base_dir=res.config_file.parent if res.config_file else res.base)
mark("config")
sc = api.scanner_for(settings)
mark("scanner")
result = api.scan_paths([tree], settings, sc, jobs=jobs)
mark("scan")
ctx = ReportContext(detectors=settings.detectors, mode="paths", config_path=None, baseline_hint="b")
out = render("json", result, ctx)
Path(os.devnull).write_text(out)
mark("report")
t = time.process_time()
n = sum(1 for r in files.iter_files(tree) if not isinstance(r, str))
listing = time.process_time() - t
rows = {}
for (name, w, c, ch), (_, w0, c0, ch0) in zip(marks[1:], marks[:-1]):
    rows[name] = {"wall": round(w - w0, 3), "cpu": round(c - c0, 3), "workers_cpu": round(ch - ch0, 3)}
rows["listing_alone"] = {"cpu": round(listing, 3), "files": n}
rows["findings"] = len(result.findings)
rows["mb"] = round(result.stats.bytes / 1e6, 1)
print(json.dumps(rows))
"""


def _startup(runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        proc = subprocess.Popen([sys.executable, "-c", "pass"])
        _, _, ru = os.wait4(proc.pid, 0)
        best = min(best, ru.ru_utime + ru.ru_stime)
    return round(best, 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, required=True)
    ap.add_argument("--jobs", nargs="+", default=["1", "2"])
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(json.dumps({"interpreter_cpu": _startup(a.runs), "load_avg": [round(x, 1) for x in os.getloadavg()]}))
    for jobs in a.jobs:
        best: dict[str, object] | None = None
        subprocess.run([sys.executable, "-c", CHILD, str(a.tree), jobs], env=env, capture_output=True, check=True)
        for _ in range(a.runs):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(a.tree), jobs], env=env, capture_output=True, text=True, check=True
            )
            row = json.loads(out.stdout)
            row["jobs"], row["process_wall"] = jobs, round(time.perf_counter() - t0, 3)
            phases = ("imports", "config", "scanner", "scan", "report")
            row["total_cpu"] = round(sum(row[p]["cpu"] + row[p]["workers_cpu"] for p in phases), 3)
            if best is None or row["total_cpu"] < best["total_cpu"]:
                best = row
        best["load_avg"] = round(os.getloadavg()[0], 1)  # type: ignore[index]
        print(json.dumps(best))


if __name__ == "__main__":
    main()
