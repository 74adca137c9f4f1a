"""Rule test cases written as Terraform or CloudFormation (``terraform:`` / ``cloudformation:``
instead of ``resource:`` in a case file): the snippet is read through the real IaC readers
and adapters, so a case proves the rule on the adapter's resource, not a hand-made one."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mamori.collect.iac.load import load_iac
from mamori.model.resource import Resource

KINDS = ("terraform", "cloudformation", "plan")
_FILE = {"terraform": "main.tf", "cloudformation": "template.yaml", "plan": "plan.json"}


def case_resources(kind: str, text: str) -> list[Resource]:
    """Every typed resource the snippet declares (raises IacError on a bad snippet)."""
    with tempfile.TemporaryDirectory(prefix="mamori-iac-case-") as d:
        p = Path(d) / _FILE[kind]
        p.write_text(text, encoding="utf-8")
        adapted, _, _ = load_iac(p)
    return [a.resource for a in adapted]


def pick(resources: list[Resource], rtype: str, address: str | None) -> Resource | None:
    mine = [r for r in resources if r.type == rtype and (address is None or r.id == address)]
    return mine[0] if mine else None
