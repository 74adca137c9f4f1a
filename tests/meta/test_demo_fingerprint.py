"""Refactors keep behaviour: the demo's results, finding ids, stored findings, scores and
coverage are exactly those recorded in ``demo_fingerprint.json`` (see ``demo_fingerprint.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.meta.demo_fingerprint import fingerprint

GOLDEN = Path(__file__).with_name("demo_fingerprint.json")


def test_demo_scan_matches_the_recorded_fingerprint() -> None:
    want = json.loads(GOLDEN.read_text())
    got = json.loads(json.dumps(fingerprint()))
    assert got["resources"] == want["resources"]
    assert got["rules_evaluated"] == want["rules_evaluated"]
    assert got["results"] == want["results"]
    assert got["findings"] == want["findings"]
    assert got["scores"] == want["scores"]
    assert got["coverage"] == want["coverage"]


def test_the_fingerprint_is_not_empty() -> None:
    want = json.loads(GOLDEN.read_text())
    statuses = {r[2] for r in want["results"]}
    assert statuses >= {"PASS", "FAIL"}
    assert len(want["findings"]) > 100 and len(want["rules_evaluated"]) >= 117
