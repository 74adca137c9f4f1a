"""Whole-history scan of the generated repository: time, blobs, recall of the planted secrets.

    python benchmarks/secrets/bench_history.py [--repo benchmarks/out/secrets/history-repo]

A planted secret counts as found when a finding has its detector, file, line and introducing
commit. Writes benchmarks/out/secrets/history.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mamori.gate.secrets import api
from mamori.gate.secrets.config import SecretsConfig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=Path("benchmarks/out/secrets/history-repo"))
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/history.json"))
    a = ap.parse_args()
    labels = json.loads((a.repo.parent / f"{a.repo.name}.labels.json").read_text())
    settings = api.Settings.from_config(SecretsConfig(), base_dir=a.repo / ".nowhere", engine=a.engine)
    t0 = time.perf_counter()
    res = api.scan_history(a.repo, settings)
    seconds = time.perf_counter() - t0
    found = {(f.detector, f.file, f.line, f.commit.sha if f.commit else "") for f in res.findings}
    want = {(p["detector"], p["file"], p["line"], p["commit"]) for p in labels["planted"]}
    row = {
        "commits": res.stats.commits,
        "blobs": res.stats.blobs,
        "mb": round(res.stats.bytes / 1e6, 1),
        "seconds": round(seconds, 2),
        "engine": res.stats.engine,
        "planted": len(want),
        "found_with_introducing_commit": len(want & found),
        "other_findings": len(found - want),
    }
    print(json.dumps(row))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
