"""mamori vs detect-secrets on the same labelled corpus: speed (one core each), recall, false positives.

    python benchmarks/secrets/compare_detect_secrets.py [--corpus benchmarks/out/secrets/corpus-small]

Both run in-process on one core over the same files (detect-secrets with its default plugins and
filters, file by file, as its single-process path does). A planted secret is found when the tool
reports any line of it; every reported line that is not part of a planted secret is a false
positive (those on decoy lines are also counted apart). Needs the ``bench`` extra.
Writes benchmarks/out/secrets/compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

from mamori.gate.secrets import api
from mamori.gate.secrets.config import SecretsConfig

Hit = tuple[str, int]


def run_mamori(root: Path) -> tuple[set[Hit], float]:
    settings = api.Settings.from_config(SecretsConfig(), base_dir=root)
    scanner = api.scanner_for(settings)
    t0 = time.perf_counter()
    res = api.scan_paths([root], settings, scanner)
    dt = time.perf_counter() - t0
    return {(f.file, f.line) for f in res.findings}, dt


def run_detect_secrets(root: Path) -> tuple[set[Hit], float]:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    files = sorted(
        os.path.relpath(os.path.join(dp, f), root) for dp, _, fs in os.walk(root) for f in fs
    )
    with default_settings():
        coll = SecretsCollection(root=str(root))
        t0 = time.perf_counter()
        for f in files:
            coll.scan_file(f)
        dt = time.perf_counter() - t0
        hits = {(fn.replace(os.sep, "/"), s.line_number) for fn, s in coll}
    return hits, dt


def score(hits: set[Hit], labels: list[dict[str, object]]) -> dict[str, object]:
    secret_lines: dict[Hit, int] = {}
    decoy_lines: set[Hit] = set()
    secrets = [lab for lab in labels if lab["kind"] == "secret"]
    for i, lab in enumerate(secrets):
        for ln in range(int(str(lab["line"])), int(str(lab["end_line"])) + 1):
            secret_lines[(str(lab["file"]), ln)] = i
    for lab in labels:
        if lab["kind"] == "decoy":
            decoy_lines.add((str(lab["file"]), int(str(lab["line"]))))
    found = {secret_lines[h] for h in hits if h in secret_lines}
    missed = Counter(str(secrets[i]["label"]) for i in range(len(secrets)) if i not in found)
    fps = [h for h in hits if h not in secret_lines]
    return {
        "secrets": len(secrets),
        "found": len(found),
        "recall": round(len(found) / len(secrets), 4),
        "false_positives": len(fps),
        "false_positives_on_decoys": sum(1 for h in fps if h in decoy_lines),
        "missed_by_kind": dict(sorted(missed.items())),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("benchmarks/out/secrets/corpus-small"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/secrets/compare.json"))
    a = ap.parse_args()
    labels = json.loads((a.corpus.parent / f"{a.corpus.name}.labels.json").read_text())
    size = sum(p.stat().st_size for p in a.corpus.rglob("*") if p.is_file())
    m_hits, m_dt = run_mamori(a.corpus)
    d_hits, d_dt = run_detect_secrets(a.corpus)
    row = {
        "corpus_mb": round(size / 1e6, 1),
        "mamori": {"seconds": round(m_dt, 2), "mb_per_s": round(size / 1e6 / m_dt, 1), **score(m_hits, labels["labels"])},
        "detect_secrets": {
            "seconds": round(d_dt, 2),
            "mb_per_s": round(size / 1e6 / d_dt, 2),
            **score(d_hits, labels["labels"]),
        },
    }
    row["speed_ratio"] = round(d_dt / m_dt, 1)
    print(json.dumps(row, indent=1))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
