"""Every table-driven vendor format: >= 3 true examples (different assignment forms) and >= 2 near misses.

The examples are built from each row's template with random characters (see ``corpus.fill``): no
token-shaped string is written in the repository. A true example must be reported by exactly that
detector, on the line of the secret; a near miss (placeholder characters, too short, no vendor
name) by none.
"""

from __future__ import annotations

from random import Random

import pytest

from mamori.gate.secrets import corpus
from mamori.gate.secrets.detectors import REGISTRY, _table
from mamori.gate.secrets.scanner import Scanner

ROWS = sorted(_table.ROWS)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(REGISTRY.values(), engine="re")


def _found(scanner: Scanner, path: str, text: str) -> list[str]:
    return [m.detector.id for m in scanner.scan_bytes(path, f"# config\n{text}\n".encode()).matches]


def test_more_than_two_hundred_formats() -> None:
    assert len(REGISTRY) >= 220
    assert len(ROWS) >= 150


@pytest.mark.parametrize("det_id", ROWS)
def test_true_examples(scanner: Scanner, det_id: str) -> None:
    row = _table.ROWS[det_id]
    n = len(corpus.KEYED_CONTEXTS) if row.kind == "keyed" else (3 if row.context else len(corpus.TOKEN_CONTEXTS))
    r = Random(det_id)
    for k in range(n):
        text = corpus.row_positive(row, r, k)
        assert _found(scanner, row.path, text) == [det_id], text


@pytest.mark.parametrize("det_id", ROWS)
def test_false_examples(scanner: Scanner, det_id: str) -> None:
    row = _table.ROWS[det_id]
    r = Random(det_id + "-neg")
    negatives = corpus.row_negatives(row, r)
    assert len(negatives) >= 2
    for text in negatives:
        assert _found(scanner, row.path, text) == [], text


def test_every_detector_has_a_format_source() -> None:
    from mamori.gate.secrets.detectors import source_of

    for det in REGISTRY.values():
        url = source_of(det)
        assert url.startswith("https://"), det.id


def test_path_bound_detectors_stay_in_their_files(scanner: Scanner) -> None:
    r = Random(5)
    for det_id in ("nuget-config-password", "hashicorp-tf-password", "freemius-secret-key"):
        row = _table.ROWS[det_id]
        text = corpus.row_positive(row, r, 0)
        assert det_id in _found(scanner, row.path, text)
        assert det_id not in _found(scanner, "docs/readme.md", text)
