"""Run every secret-gate benchmark end to end and write benchmarks/out/secrets/results.md.

    python benchmarks/secrets/run.py [--quick]

Generates the inputs (corpora, a 10,000-commit repository), pins the process to one core when
the platform allows it, and runs: throughput per engine, history scan, detect-secrets side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = Path("benchmarks/out/secrets")


def step(script: str, *args: str) -> None:
    cmd = [sys.executable, str(HERE / script), *args]
    if hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", "0", *cmd] if _has_taskset() else cmd
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller inputs (for a smoke run)")
    a = ap.parse_args()
    big, commits = ("16", "2000") if a.quick else ("64", "10000")
    step("make_corpus.py", "--size-mb", big, "--out", str(OUT / "corpus"))
    step("make_corpus.py", "--size-mb", "8", "--out", str(OUT / "corpus-small"))
    step("make_history_repo.py", "--commits", commits, "--out", str(OUT / "history-repo"))
    step("bench_throughput.py", "--corpus", str(OUT / "corpus"))
    step("bench_history.py", "--repo", str(OUT / "history-repo"))
    try:
        import detect_secrets  # noqa: F401
    except ImportError:
        print("detect-secrets is not installed (pip install -e '.[bench]'): skipping the comparison")
        compare = None
    else:
        step("compare_detect_secrets.py", "--corpus", str(OUT / "corpus-small"))
        compare = json.loads((OUT / "compare.json").read_text())
    thr = json.loads((OUT / "throughput.json").read_text())
    hist = json.loads((OUT / "history.json").read_text())
    lines = ["| measure | result |", "|---|---|"]
    for row in thr:
        lines.append(f"| working tree, engine `{row['engine']}` ({row['mb']} MB, {row['files']} files) "
                     f"| {row['mb_per_s']} MB/s |")  # fmt: skip
    lines.append(f"| history: {hist['commits']} commits, {hist['blobs']} blobs, {hist['mb']} MB | {hist['seconds']} s, "
                 f"{hist['found_with_introducing_commit']}/{hist['planted']} planted secrets with their commit |")  # fmt: skip
    if compare:
        m, d = compare["mamori"], compare["detect_secrets"]
        lines += [
            f"| vs detect-secrets: speed ({compare['corpus_mb']} MB, one core each) | {m['seconds']} s vs "
            f"{d['seconds']} s = {compare['speed_ratio']}x |",
            f"| vs detect-secrets: recall ({m['secrets']} planted) | {m['recall']} vs {d['recall']} |",
            f"| vs detect-secrets: false positives (on decoys) | {m['false_positives']} ({m['false_positives_on_decoys']}) "
            f"vs {d['false_positives']} ({d['false_positives_on_decoys']}) |",
        ]
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
