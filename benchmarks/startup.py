"""How long the `mamori` command takes before it does anything: start-up time, end to end.

    python benchmarks/startup.py [--runs 5] [--json]

Times each command as a child process (the installed `mamori` console script next to this
Python, as a user or a pre-commit hook runs it), N runs, and prints the median, min and max.
`gate secrets --staged` runs in a fresh git repository with one staged file, as a
pre-commit hook does. Targets (issue 11): `mamori --help` <= 0.25 s and
`mamori gate secrets --staged` <= 0.3 s, median of 3 runs on the 2-core VM.
hyperfine is not needed: this is the same measurement with `subprocess` and `perf_counter`.

The children run with the bytecode cache on (PYTHONDONTWRITEBYTECODE removed; the dropped
first run writes it), as an installed package has it. `--pythonpath DIR` measures another
tree with the same interpreter, e.g. the code before a change:

    git archive <commit> src | tar -x -C /tmp/before
    python benchmarks/startup.py --pythonpath /tmp/before/src
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.25, "gate secrets --staged": 0.3}


def _mamori() -> list[str]:
    exe = Path(sys.executable).parent / "mamori"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("mamori")
    return [found] if found else [sys.executable, "-m", "mamori.cli.main"]


def _staged_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    (repo / "app.py").write_text('def handler(event):\n    return {"status": 200, "region": "eu-west-1"}\n')
    subprocess.run(["git", "-C", str(repo), "add", "app.py"], check=True, env=env)
    return repo


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _time(cmd: list[str], cwd: Path, runs: int, ok: set[int], env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of each run; CPU time varies less on a shared machine."""
    wall, cpu = [], []
    for _ in range(runs + 1):  # the first run warms the caches (pages, bytecode) and is dropped
        c0, t0 = _cpu(), time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall.append(time.perf_counter() - t0)
        cpu.append(_cpu() - c0)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return wall[1:], cpu[1:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (median reported)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--pythonpath", type=Path, help="import mamori from this src directory instead")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set")
    a = ap.parse_args()
    mamori = _mamori()
    env = dict(os.environ)
    if not a.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    if a.pythonpath:
        env["PYTHONPATH"] = str(a.pythonpath.resolve())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = _staged_repo(Path(tmp))
        cases: list[tuple[str, Path]] = [
            ("--help", repo),
            ("--version", repo),
            ("gate --help", repo),
            ("gate secrets --staged", repo),
            ("rules list", repo),
        ]
        for args, cwd in cases:
            times, cpu = _time([*mamori, *args.split()], cwd, a.runs, ok={0}, env=env)
            med = statistics.median(times)
            target = TARGETS.get(args)
            rows.append(
                {
                    "command": f"mamori {args}",
                    "median_s": round(med, 3),
                    "min_s": round(min(times), 3),
                    "max_s": round(max(times), 3),
                    "cpu_median_s": round(statistics.median(cpu), 3),
                    "runs": a.runs,
                    "target_s": target,
                    "met": None if target is None else med <= target,
                }
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if a.json:
        print(json.dumps({"load_average_1m": load, "results": rows}, indent=2))
    else:
        print(f"{'command':<32} {'median':>8} {'min':>8} {'max':>8} {'cpu':>8}  target")
        for r in rows:
            tgt = "" if r["target_s"] is None else f"<= {r['target_s']} s {'ok' if r['met'] else 'MISSED'}"
            print(
                f"{r['command']:<32} {r['median_s']:>7.3f}s {r['min_s']:>7.3f}s {r['max_s']:>7.3f}s"
                f" {r['cpu_median_s']:>7.3f}s  {tgt}"
            )
        print(f"(median of {a.runs} runs after one warm-up; cpu = user + system; load average {load})")
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
