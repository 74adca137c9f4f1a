"""End-to-end throughput: the `mamori gate secrets` command on a tree, start-up and report included.

    python benchmarks/secrets/bench_end_to_end.py [--tree DIR] [--size-mb 50] [--runs 3] [--pythonpath DIR]

Generates a corpus with make_corpus.py when --tree is missing, then runs the installed command as a
child process (JSON report to a file) with --jobs 1 and with the default (one worker per usable CPU),
best of N. Prints wall time, CPU time of the command and its workers, MB/s and the machine's load
average: on a shared machine the wall time follows the load, the CPU time does not.
Writes benchmarks/out/secrets/end_to_end.json. ``--pythonpath DIR`` runs another tree's code with
the same interpreter (``git archive <commit> src | tar -x -C /tmp/before``), for before/after rows.
The runs drop ``PYTHONDONTWRITEBYTECODE`` so that the warm-up run leaves compiled bytecode, as an
installed package has (with it set, every run recompiles mamori's modules: ~0.1 s more).
``--ab DIR`` alternates runs of this tree and of DIR's code (before/after, same load).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _tree_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6


def run(tree: Path, jobs: str, runs: int, pythonpath: Path | None = None) -> dict[str, object]:
    exe = Path(sys.executable).parent / "mamori"
    out = tree.parent / f"{tree.name}.report.json"
    env = dict(os.environ)
    # an installed package has its bytecode compiled; without it every run recompiles mamori's modules
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    prog = [str(exe)]
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath.resolve())
        prog = [sys.executable, "-m", "mamori.cli.main"]
    cmd = [*prog, "gate", "secrets", str(tree), "-o", "json", "--output-file", str(out)]
    if jobs != "auto":
        cmd += ["--jobs", jobs]
    best_wall = best_cpu = float("inf")
    findings = 0
    subprocess.run(cmd, capture_output=True, env=env)  # warm the page cache and the prefilter caches
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert proc.returncode in (0, 1), proc.stderr.decode()
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
        findings = len(json.loads(out.read_text()))
    mb = _tree_mb(tree)
    return {
        "tree": str(tree),
        "mb": round(mb, 1),
        "jobs": jobs,
        "code": str(pythonpath) if pythonpath is not None else "installed",
        "wall_s": round(best_wall, 2),
        "cpu_s": round(best_cpu, 2),
        "mb_per_s_wall": round(mb / best_wall, 1),
        "mb_per_cpu_s": round(mb / best_cpu, 1),
        "findings": findings,
        "load_avg": round(os.getloadavg()[0], 1),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, default=Path("benchmarks/out/secrets/corpus50"))
    ap.add_argument("--size-mb", default="50")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/end_to_end.json"))
    ap.add_argument("--pythonpath", type=Path, help="import mamori from this src directory instead")
    ap.add_argument("--ab", type=Path, help="alternate with runs of this src directory's code (interleaved A/B)")
    ap.add_argument("--jobs", nargs="+", default=["1", "auto"])
    a = ap.parse_args()
    if not a.tree.exists():
        subprocess.run(
            [sys.executable, str(HERE / "make_corpus.py"), "--size-mb", a.size_mb, "--out", str(a.tree)], check=True
        )
    rows = []
    for jobs in a.jobs:
        if a.ab is None:
            rows.append(run(a.tree, jobs, a.runs, a.pythonpath))
            continue
        pair: dict[str, list[dict[str, object]]] = {"before": [], "after": []}
        for _ in range(a.runs):  # one run each, alternately: both see the same load
            pair["before"].append(run(a.tree, jobs, 1, a.ab))
            pair["after"].append(run(a.tree, jobs, 1, a.pythonpath))
        for name, got in pair.items():
            best = min(got, key=lambda r: float(r["cpu_s"]))  # type: ignore[arg-type]
            best = {**best, "wall_s": min(float(r["wall_s"]) for r in got), "ab": name}  # type: ignore[arg-type]
            best["mb_per_s_wall"] = round(float(best["mb"]) / float(best["wall_s"]), 1)  # type: ignore[arg-type]
            rows.append(best)
    for row in rows:
        print(json.dumps(row))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
