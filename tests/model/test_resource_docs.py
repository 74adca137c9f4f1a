"""docs/resources/<service>.md lists, per resource type, exactly the fields of its model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mamori.model.resources import RESOURCE_TYPES

DOCS = Path(__file__).parents[2] / "docs" / "resources"
HEAD = re.compile(r"^## `((?:aws|gcp)\.[a-z0-9_]+\.[a-z0-9_]+)`")
ROW = re.compile(r"^\| (`[a-z0-9_]+`(?:, `[a-z0-9_]+`)*) \|")


def documented() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for md in sorted(DOCS.glob("*.md")):
        current = None
        for line in md.read_text(encoding="utf-8").splitlines():
            head = HEAD.match(line)
            if head:
                current = head.group(1)
                out.setdefault(current, [])
            elif line.startswith("## "):
                current = None
            elif current and (row := ROW.match(line)):
                out[current].extend(re.findall(r"`([a-z0-9_]+)`", row.group(1)))
    return out


DOCUMENTED = documented()


def test_every_model_is_documented_and_every_documented_type_has_a_model() -> None:
    assert set(DOCUMENTED) == set(RESOURCE_TYPES)


@pytest.mark.parametrize("type_name", sorted(RESOURCE_TYPES))
def test_the_table_lists_exactly_the_models_fields(type_name: str) -> None:
    fields = list(RESOURCE_TYPES.get(type_name).model_fields)
    doc = DOCUMENTED.get(type_name, [])
    assert sorted(doc) == sorted(fields), f"docs only: {sorted(set(doc) - set(fields))}, model only: {sorted(set(fields) - set(doc))}"
    assert len(doc) == len(set(doc)), "a property is listed twice"
