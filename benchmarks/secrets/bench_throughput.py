"""Working-tree scan throughput on one core, per prefilter engine.

    python benchmarks/secrets/bench_throughput.py [--corpus benchmarks/out/secrets/corpus] [--extra DIR]

Runs in-process on one thread (the scanner is single-threaded); files are read from the page
cache after one warm-up pass. Writes benchmarks/out/secrets/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mamori.gate.secrets import api
from mamori.gate.secrets.config import SecretsConfig
from mamori.gate.secrets.prefilter import available_engines


def measure(root: Path, engine: str, repeat: int = 3) -> dict[str, float | int | str]:
    settings = api.Settings.from_config(SecretsConfig(), base_dir=root, engine=engine)
    scanner = api.scanner_for(settings)
    api.scan_paths([root], settings, scanner)  # warm the page cache
    best = float("inf")
    res = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = api.scan_paths([root], settings, scanner)
        best = min(best, time.perf_counter() - t0)
    assert res is not None
    mb = res.stats.bytes / 1e6
    return {
        "root": str(root),
        "engine": engine,
        "files": res.stats.files,
        "mb": round(mb, 1),
        "seconds": round(best, 3),
        "mb_per_s": round(mb / best, 1),
        "findings": len(res.findings),
        "skipped_binary": res.stats.skipped_binary,
        "long_line_files": len(res.stats.long_line_files),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("benchmarks/out/secrets/corpus"))
    ap.add_argument("--extra", type=Path, action="append", default=[], help="another tree to measure")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/throughput.json"))
    a = ap.parse_args()
    rows = []
    for root in [a.corpus, *a.extra]:
        for engine in available_engines():
            row = measure(root, engine)
            rows.append(row)
            print(json.dumps(row))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
