"""docs/rules.md is generated from the registry and must match it."""

from __future__ import annotations

from pathlib import Path

from mamori.rules import load_rules
from mamori.rules.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_doc_is_generated_from_the_registry() -> None:
    assert DOC.read_text() == render(load_rules()), "regenerate: make docs"
