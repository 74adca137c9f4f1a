"""The user documentation lists every detector, and the pre-commit hooks point at real commands."""

from __future__ import annotations

from pathlib import Path

import yaml

from mamori.gate.secrets.detectors import REGISTRY

ROOT = Path(__file__).resolve().parents[3]


def test_docs_detector_table_matches_the_registry() -> None:
    text = (ROOT / "docs" / "secrets.md").read_text()
    section = text.split("\n## Detectors\n", 1)[1]
    rows = [line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| `")]
    assert sorted(rows) == sorted(REGISTRY)


def test_pre_commit_hooks_file() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in hooks}
    assert ids["mamori-secrets"]["entry"] == "mamori gate secrets --staged"
    assert ids["mamori-secrets"]["pass_filenames"] is False
    assert ids["mamori-secrets-files"]["entry"] == "mamori gate secrets"
    assert all(h["language"] == "python" for h in hooks)
