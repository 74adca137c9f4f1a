"""Dependency-gate benchmark: cold indexing of a 50,000-advisory OSV set, warm audits of 2,000 packages.

    python benchmarks/deps/generate.py     # once: writes benchmarks/out/deps/
    python benchmarks/deps/run.py [--repeat 5]

Measures, on the data generate.py wrote:

* cold index: building the SQLite index from the three all.zip files into an empty cache;
* warm audit, in process: open the (warm) index, parse the lockfile, look up and match
  every package, apply the policy, render JSON — with the version-parse caches cleared
  before each repeat, so nothing carries over from the previous one;
* warm audit, CLI: ``mamori gate deps PATH --osv-dir ... --no-record -o json`` as a
  pipeline runs it (a new Python process: interpreter start and imports included).

Results go to benchmarks/out/deps/results.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).parents[1] / "out" / "deps"


def in_process_audit(root: Path, osv: Path, cache: Path) -> tuple[float, dict[str, int]]:
    from mamori.gate.deps.check import CheckSettings, check
    from mamori.gate.deps.context import RunContext
    from mamori.gate.deps.osv.local import LocalOsvSource
    from mamori.gate.deps.output import FORMATS
    from mamori.gate.deps.policy import Policy
    from mamori.gate.deps.severity import base_score
    from mamori.gate.deps.versions import parse_version

    parse_version.cache_clear()
    base_score.cache_clear()
    policy = Policy.model_validate({"block": {"severity_at_least": "critical"}})
    t0 = time.perf_counter()
    source = LocalOsvSource(osv, cache=cache)
    assert not source.rebuilt, "the index should be warm"
    settings = CheckSettings(policy, None, None, RunContext("bench", "bench", None), datetime.now(UTC))
    report, _ = check(root, source, settings)
    FORMATS.get("json").render(report)
    return time.perf_counter() - t0, report.counts()


def cli_audit(root: Path, osv: Path, cache: Path) -> tuple[float, int]:
    env = {**os.environ, "MAMORI_CACHE": str(cache)}
    cmd = [sys.executable, "-m", "mamori.cli.main", "gate", "deps", str(root), "--osv-dir", str(osv),
           "--no-record", "-o", "json", "--output-file", os.devnull, "--project", "bench"]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"gate deps failed ({proc.returncode}): {proc.stderr}")
    return elapsed, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=OUT)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    osv = args.data / "osv"
    if not osv.is_dir():
        raise SystemExit(f"no data in {osv}: run benchmarks/deps/generate.py first")
    from mamori.gate.deps.osv.local import LocalOsvSource

    cache = Path(tempfile.mkdtemp(prefix="mamori-bench-cache-"))
    try:
        t0 = time.perf_counter()
        src = LocalOsvSource(osv, cache=cache)
        cold = time.perf_counter() - t0
        index_mb = src.index_path.stat().st_size / 1e6
        results: dict[str, object] = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "advisories": src.count,
            "cold_index_s": round(cold, 2),
            "index_mb": round(index_mb, 1),
            "audits": {},
        }
        for label, root in (("npm package-lock.json", args.data / "project"),
                            ("CycloneDX SBOM (PyPI+npm+Maven)", args.data / "project-mixed")):  # fmt: skip
            inproc = [in_process_audit(root, osv, cache) for _ in range(args.repeat)]
            cli = [cli_audit(root, osv, cache) for _ in range(args.repeat)]
            counts = inproc[0][1]
            results["audits"][label] = {  # type: ignore[index]
                "packages": counts["packages"],
                "vulnerable_packages": counts["vulnerable"],
                "vulnerabilities": counts["vulnerabilities"],
                "in_process_median_s": round(statistics.median(t for t, _ in inproc), 3),
                "in_process_max_s": round(max(t for t, _ in inproc), 3),
                "cli_median_s": round(statistics.median(t for t, _ in cli), 3),
                "cli_max_s": round(max(t for t, _ in cli), 3),
            }
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    args.data.mkdir(parents=True, exist_ok=True)
    (args.data / "results.json").write_text(json.dumps(results, indent=2))
    print(f"advisories: {results['advisories']:,}   cold index: {results['cold_index_s']} s   "
          f"index size: {results['index_mb']} MB")  # fmt: skip
    print(f"{'lockfile':<34} {'pkgs':>5} {'vuln pkgs':>9} {'vulns':>6} {'in-proc median':>15} {'CLI median':>11} "
          f"{'CLI max':>8}")  # fmt: skip
    for label, r in results["audits"].items():  # type: ignore[attr-defined]
        print(f"{label:<34} {r['packages']:>5} {r['vulnerable_packages']:>9} {r['vulnerabilities']:>6} "
              f"{r['in_process_median_s']:>14}s {r['cli_median_s']:>10}s {r['cli_max_s']:>7}s")  # fmt: skip


if __name__ == "__main__":
    main()
