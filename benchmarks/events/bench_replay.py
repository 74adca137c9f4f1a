"""Replay throughput through all detections, on one core.

    python benchmarks/events/bench_replay.py --events 500000

Generates the corpus (make_cloudtrail.py, fixed seed) into benchmarks/out/events/, then
measures (1) the matcher alone: gunzip + orjson parse + index lookup + conditions, from
bytes already in memory; (2) `replay` end to end: files read from disk, the processor with
an in-memory ledger (no store, no notifications). Writes benchmarks/out/events/replay.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import make_cloudtrail

from mamori.events import Matcher, load_detections
from mamori.events.processor import Processor
from mamori.events.reader import ReadStats, iter_records
from mamori.events.run import replay


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/events"))
    args = ap.parse_args()
    corpus_dir = args.out / f"corpus-{args.events}-{args.seed}"
    if not corpus_dir.exists():
        t0 = time.perf_counter()
        c = make_cloudtrail.generate(args.events, args.seed)
        make_cloudtrail.write_archive(c.records, corpus_dir)
        (corpus_dir / "truth.json").write_text(json.dumps(c.truth, indent=2, default=str))
        print(f"generated {len(c.records)} events in {time.perf_counter() - t0:.1f}s")
    files = sorted(corpus_dir.rglob("*.json.gz"))
    blobs = [(str(f), f.read_bytes()) for f in files]
    ds = load_detections()

    best = 0.0
    n = matches = 0
    for _ in range(3):
        m = Matcher(ds)
        stats = ReadStats()
        n = matches = 0
        t0 = time.perf_counter()
        for src, data in blobs:
            for rec in iter_records(data, src, stats):
                n += 1
                if m.match(rec, src):
                    matches += 1
        dt = time.perf_counter() - t0
        best = max(best, n / dt)
    proc = Processor(Matcher(ds))
    rep = replay([corpus_dir], proc)
    result = {
        "events": n, "files": len(files), "detections": len(ds), "events_with_a_match": matches,
        "matcher_events_per_s": round(best), "replay_events_per_s": round(rep.stats.records / rep.seconds),
        "replay_seconds": round(rep.seconds, 2), "replay_detections": len(rep.outcomes),
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "replay.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
