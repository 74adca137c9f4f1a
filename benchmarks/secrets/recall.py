"""Recall and false alarms on mamori's own labelled suite (generated, seeded; no secret is stored).

    python benchmarks/secrets/recall.py [--seeds 3]

True examples: every detector's positive samples (``corpus.positive``, one context per seed) and,
for the table-driven vendor formats, the value in every assignment form (``corpus.KEYED_CONTEXTS``
/ ``TOKEN_CONTEXTS``). A true example counts as found when *that* detector reports it (found by
another detector is counted apart). False examples: every detector's near misses and the decoys
(documented example keys, SHAs, integrity hashes, UUIDs, placeholders, references). Writes
benchmarks/out/secrets/recall.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from random import Random

from mamori.gate.secrets import corpus
from mamori.gate.secrets.detectors import REGISTRY, _table
from mamori.gate.secrets.scanner import Scanner


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/recall.json"))
    a = ap.parse_args()
    sc = Scanner(REGISTRY.values())
    tp = fp = other = total_true = total_false = 0
    missed: list[str] = []
    alarms: list[str] = []

    def ids(path: str, text: str) -> list[str]:
        return [m.detector.id for m in sc.scan_bytes(path, text.encode()).matches]

    for det_id in REGISTRY:
        if REGISTRY.get(det_id).by_path:
            continue
        path = corpus.sample_path(det_id)
        row = _table.ROWS.get(det_id)
        trues: list[str] = [corpus.positive(det_id, Random(f"{det_id}{s}")) for s in range(a.seeds)]
        falses: list[str] = [corpus.negative(det_id, Random(f"{det_id}{s}")) for s in range(a.seeds)]
        if row is not None:
            n = len(corpus.KEYED_CONTEXTS) if row.kind == "keyed" else (1 if row.context else len(corpus.TOKEN_CONTEXTS))
            r = Random(det_id)
            trues += [corpus.row_positive(row, r, k) for k in range(n)]
            falses += corpus.row_negatives(row, r)
        for text in trues:
            total_true += 1
            got = ids(path, text)
            if det_id in got:
                tp += 1
            elif got:
                other += 1
            else:
                missed.append(f"{det_id}: {text[:60]}")
        for text in falses:
            total_false += 1
            if ids(path, text):
                fp += 1
                alarms.append(f"{det_id}: {text[:60]}")
    for kind, make in corpus.DECOYS.items():
        for s in range(a.seeds):
            total_false += 1
            if ids("src/app.py", make(Random(s))):
                fp += 1
                alarms.append(f"decoy {kind}")
    result = {
        "formats": len(REGISTRY),
        "true_examples": total_true,
        "found_by_its_detector": tp,
        "found_by_another": other,
        "recall": round((tp + other) / total_true, 4),
        "recall_specific": round(tp / total_true, 4),
        "false_examples": total_false,
        "false_alarms": fp,
        "missed": missed[:20],
        "alarms": alarms[:20],
    }
    print(json.dumps(result, indent=2))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
