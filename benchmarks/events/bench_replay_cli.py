"""`mamori events replay` end to end, start-up included, over a 200,000-event archive of 48 files.

    python benchmarks/events/bench_replay_cli.py [--runs 3] [--sigma examples/sigma]

Generates the archive once (make_cloudtrail.py, seed 7: 200,000 normal events over 12 hours
plus the planted attacks, one gzip file per account, region and hour = 48 files) under
benchmarks/out/events/archive-200k-48/, then times the whole command as a user runs it —
`mamori events replay DIR --no-store -o json` in a fresh process: interpreter start, imports,
loading every detection (and the Sigma rules when given), reading, matching, output — and
the same with the default SQLite store, new (created and migrated by the replay) and existing
(migrated by an earlier command, as a team's store is) (``--workers N``: that many reader processes;
default the command's own, one per CPU; ``--pythonpath DIR`` times another source tree, e.g.
the commit before, with the same interpreter). Sources are byte-compiled first, as pip
does on install. Reports wall time, the process's CPU time (user +
sys, less sensitive to other load on the machine), events/s of both, the number of
detections loaded and the load average before and after. Writes
benchmarks/out/events/replay_cli.json.
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

sys.path.insert(0, str(Path(__file__).parent))

import make_cloudtrail

ROOT = Path(__file__).resolve().parents[2]
MAMORI = str(Path(sys.executable).parent / "mamori")


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, dict[str, object]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "mamori.cli.main", *args] if "PYTHONPATH" in env else [MAMORI, *args]
    out = subprocess.run(cmd, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"mamori {' '.join(args)} exited {out.returncode}: {out.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sigma", default=None, help="Also load these Sigma rules (--sigma DIR).")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/events"))
    ap.add_argument("--workers", type=int, default=None, help="--workers N (default: the command's own: one reader per CPU).")
    ap.add_argument("--pythonpath", default=None, help="Time another source tree (e.g. `git archive <commit> src`) with this interpreter.")
    args = ap.parse_args()
    arch = args.out / f"archive-{args.events // 1000}k-48"
    if not arch.exists():
        c = make_cloudtrail.generate(args.events, 7, hours=12)
        make_cloudtrail.write_archive(c.records, arch, minutes=60)
        (args.out / f"archive-{args.events // 1000}k-48.truth.json").write_text(json.dumps(c.truth, indent=2, default=str))
    files = sorted(arch.rglob("*.json.gz"))
    env = {**os.environ, "MAMORI_CONFIG": str(args.out / "none.yaml")}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "mamori")], check=False, capture_output=True)  # as pip does
    (args.out / "none.yaml").write_text("events: {}\n")
    extra = (["--sigma", args.sigma] if args.sigma else []) + (["--workers", str(args.workers)] if args.workers else [])
    load_before = os.getloadavg()
    best: dict[str, dict[str, object]] = {}
    for mode in ("no_store", "sqlite_store", "existing_store"):
        for i in range(args.runs):
            db = args.out / f"replay-bench-{i}.db"
            db.unlink(missing_ok=True)
            if mode == "existing_store":  # the store a team already has (migrated by an earlier command), empty of events
                _run(["findings", "list", "--db", str(db), "-o", "json"], env)
            cmd = ["events", "replay", str(arch), "-o", "json", *extra] + (["--no-store"] if mode == "no_store" else ["--db", str(db)])
            wall, cpu, data = _run(cmd, env)
            s = data["summary"]
            row = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "events": s["events"], "files": s["files"],
                   "events_per_s_wall": round(s["events"] / wall), "events_per_s_cpu": round(s["events"] / cpu),
                   "detections_loaded": s["detections_loaded"], "detections_fired": len(data["detections"])}  # fmt: skip
            if mode not in best or wall < float(best[mode]["wall_s"]):  # type: ignore[arg-type]
                best[mode] = row
            db.unlink(missing_ok=True)
    result = {"archive": str(arch), "files": len(files), "runs": args.runs, "sigma": args.sigma, "workers": args.workers or "auto",
              "pythonpath": args.pythonpath, **best,
              "load_avg_before": [round(x, 2) for x in load_before], "load_avg_after": [round(x, 2) for x in os.getloadavg()],
              "cpus": os.cpu_count()}  # fmt: skip
    (args.out / "replay_cli.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
