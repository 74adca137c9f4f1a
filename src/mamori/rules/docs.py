"""Render the rule reference (docs/rules.md) from the registry; never maintained by hand.

    python -m mamori.rules.docs > docs/rules.md
"""

from __future__ import annotations

from collections import Counter

from mamori.catalog import standards
from mamori.rules.loader import RuleSet, load_rules


def render(rules: RuleSet) -> str:
    cat = standards()
    by_service: dict[str, list[str]] = {}
    lines = [
        "# Built-in rules",
        "",
        "Generated from the rule registry by `python -m mamori.rules.docs > docs/rules.md`;",
        "a test fails when this file and the registry disagree.",
        "",
        f"{len(rules)} rules.",
        "",
    ]
    per_std = Counter(std for r in rules for std in r.spec.controls)
    lines.append("| standard | rules mapped |")
    lines.append("|---|---|")
    for std_id, std in cat.items():
        lines.append(f"| {std.title} | {per_std.get(std_id, 0)} |")
    lines.append("")
    for r in rules:
        by_service.setdefault(r.spec.service, []).append(r.id)
    for service in sorted(by_service):
        lines.append(f"## {service}")
        lines.append("")
        lines.append("| id | severity | title | baseline | CIS v3.0 (AWS or GCP) | FSBP | guardrail |")
        lines.append("|---|---|---|---|---|---|---|")
        for rid in by_service[service]:
            s = rules.get(rid).spec
            c = s.controls
            lines.append(
                f"| `{s.id}` | {s.severity.value} | {s.title} | {', '.join(c.get('baseline', []))} | "
                f"{', '.join(c.get('cis-aws-3.0', []) or c.get('cis-gcp-3.0', []))} | {', '.join(c.get('fsbp', []))} | {s.guardrail.value} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render(load_rules()), end="")
