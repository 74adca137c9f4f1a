"""Advisory-cache benchmark: the full EPSS CSV (~300k rows) loaded, and a 2,000-package audit via the
CLI with the cache warm.

    python benchmarks/deps/generate.py      # once: the 50,000-advisory OSV set and the lockfiles
    python benchmarks/deps/cache.py [--repeat 5] [--rows 300000]

* EPSS: writes a realistic ``epss_scores-current.csv.gz`` (FIRST's header and comment line,
  ``--rows`` CVE ids from 1999 to 2026, scores skewed towards 0 as the real file is, the
  percentile the rank) and loads it completely with ``load_epss`` in a fresh process:
  wall time, CPU (user+sys) and peak RSS (``ru_maxrss``) of that process.
* Cache: ``mamori db update --from DIR`` imports the OSV zips, the shipped KEV sample and
  that EPSS file into an empty ``$MAMORI_CACHE_DIR``; the first ``gate deps`` builds the
  index; then ``mamori gate deps PATH --no-record -o json`` (no --osv-dir: the cache) is
  timed ``--repeat`` times -- wall and CPU of the child process.

Prints a table and the load average; writes benchmarks/out/deps/cache-results.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).parents[1] / "out" / "deps"
KEV = Path(__file__).parents[2] / "src" / "mamori" / "gate" / "deps" / "data" / "kev-sample.json"


def write_epss(path: Path, rows: int, seed: int = 22) -> None:
    rng = random.Random(seed)
    cves: list[str] = []
    per_year = rows // 28 + 1
    for year in range(1999, 2027):
        cves += [f"CVE-{year}-{n:04d}" if n < 10000 else f"CVE-{year}-{n}" for n in range(1, per_year + 1)]
    cves = cves[:rows]
    scores = sorted(min(1.0, rng.expovariate(40.0)) for _ in cves)
    rank = {s: i / len(scores) for i, s in enumerate(scores)}
    rng.shuffle(scores)
    with gzip.open(path, "wt", compresslevel=6) as fh:
        fh.write("#model_version:v2025.03.14,score_date:2026-12-06T12:55:00Z\ncve,epss,percentile\n")
        for cve, s in zip(cves, scores, strict=True):
            fh.write(f"{cve},{s:.5f},{rank[s]:.5f}\n")


LOAD = """
import resource, sys, time
from pathlib import Path
from mamori.gate.deps.epss import load_epss
t0 = time.perf_counter(); c0 = time.process_time()
s = load_epss(Path(sys.argv[1]))
print(len(s.scores), time.perf_counter() - t0, time.process_time() - c0,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def child_cpu(before: resource.struct_rusage) -> float:
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=OUT)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rows", type=int, default=300_000)
    args = ap.parse_args()
    osv = args.data / "osv"
    if not osv.is_dir():
        raise SystemExit(f"no data in {osv}: run benchmarks/deps/generate.py first")
    work = Path(tempfile.mkdtemp(prefix="mamori-bench-dbcache-"))
    try:
        mirror = work / "mirror"
        shutil.copytree(osv, mirror)
        shutil.copy(KEV, mirror / "known_exploited_vulnerabilities.json")
        epss = mirror / "epss_scores-current.csv.gz"
        write_epss(epss, args.rows)
        loads = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", LOAD, str(epss)], capture_output=True, text=True, check=True)
            n, wall, cpu, rss_kb = out.stdout.split()
            loads.append((int(n), float(wall), float(cpu), int(rss_kb) / 1024))
        env = {**os.environ, "MAMORI_CACHE_DIR": str(work / "cache")}
        base = [sys.executable, "-m", "mamori.cli.main"]
        t0 = time.perf_counter()
        subprocess.run([*base, "db", "update", "--from", str(mirror)], env=env, check=True, capture_output=True)
        update_s = time.perf_counter() - t0
        gate = [*base, "gate", "deps", str(args.data / "project"), "--no-record", "-o", "json",
                "--output-file", os.devnull, "--project", "bench"]  # fmt: skip
        t0 = time.perf_counter()
        first = subprocess.run(gate, env=env, capture_output=True, text=True, check=False)
        index_s = time.perf_counter() - t0
        if first.returncode not in (0, 1):
            raise SystemExit(f"gate deps failed ({first.returncode}): {first.stderr}")
        audits = []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(gate, env=env, capture_output=True, check=False)
            audits.append((time.perf_counter() - t0, child_cpu(before)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load1, load5, _ = os.getloadavg()
    results = {
        "rows": loads[0][0],
        "epss_load_wall_median_s": round(statistics.median(x[1] for x in loads), 2),
        "epss_load_cpu_median_s": round(statistics.median(x[2] for x in loads), 2),
        "epss_load_peak_rss_mb": round(max(x[3] for x in loads), 1),
        "db_update_from_s": round(update_s, 1),
        "first_gate_with_index_build_s": round(index_s, 1),
        "gate_cli_wall_median_s": round(statistics.median(a[0] for a in audits), 2),
        "gate_cli_wall_max_s": round(max(a[0] for a in audits), 2),
        "gate_cli_cpu_median_s": round(statistics.median(a[1] for a in audits), 2),
        "loadavg_1_5": [round(load1, 1), round(load5, 1)],
    }
    args.data.mkdir(parents=True, exist_ok=True)
    (args.data / "cache-results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
