"""docs/events.md is the guide plus the registry's detection table, and must match it."""

from __future__ import annotations

from pathlib import Path

from mamori.events.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_events_doc_is_generated_from_the_registry() -> None:
    text = DOC.read_text()
    assert text == render(), "regenerate: python -m mamori.events.docs > docs/events.md"
    assert "`cloudtrail_stop_logging`" in text and "`quarantine_principal`" in text
