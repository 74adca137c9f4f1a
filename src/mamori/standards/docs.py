"""Generate the tables of docs/standards.md from the rule registry and the catalogues.

The prose of docs/standards.md is written by hand; every block between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` is rendered here, and a test
fails when the file and the registry disagree. Regenerate with::

    python -m mamori.standards.docs docs/standards.md      (or: make docs)
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from mamori.catalog import Standard, standards
from mamori.rules.loader import RuleSet, load_rules
from mamori.standards.status import rules_by_control

BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)


def _esc(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def coverage_kind(std: Standard, control_id: str, by_control: dict[str, list[str]]) -> str:
    ctl = std.controls()[control_id]
    if not ctl.automated:
        return "attestation"
    return "machine" if by_control.get(control_id) else "none"


def per_standard(rules: RuleSet) -> str:
    lines = ["| standard | controls | rules mapped | by machine | by attestation | none |", "|---|---|---|---|---|---|"]
    mapping = {r.id: r.spec.controls for r in rules}
    for sid, std in standards().items():
        by = rules_by_control(mapping, sid)
        kinds = Counter(coverage_kind(std, c, by) for c in std.controls())
        n_rules = sum(1 for r in rules if r.spec.controls.get(sid))
        lines.append(
            f"| {std.title} (`{sid}`) | {len(std.controls())} | {n_rules} | {kinds['machine']} | {kinds['attestation']} | {kinds['none']} |"
        )
    return "\n".join(lines)


def per_service(rules: RuleSet) -> str:
    svc = Counter(r.spec.service for r in rules)
    lines = [f"{len(rules)} rules in {len(svc)} services.", "", "| service | rules |", "|---|---|"]
    lines += [f"| {s} | {n} |" for s, n in sorted(svc.items())]
    return "\n".join(lines)


def baseline_coverage(rules: RuleSet) -> str:
    std = standards()["baseline"]
    by = rules_by_control({r.id: r.spec.controls for r in rules}, "baseline")
    kinds: Counter[str] = Counter()
    rows = []
    for cat in std.categories:
        for c in cat.controls:
            kind = coverage_kind(std, c.id, by)
            kinds[kind] += 1
            rids = ", ".join(f"`{r}`" for r in by.get(c.id, []))
            if kind == "attestation":
                how = f"attest with: {_esc(c.attest_with)}" if c.attest_with else "attestation"
                if rids:
                    how += f"; supporting rules: {rids}"
            elif kind == "machine":
                how = rids
            else:
                how = _esc(c.not_covered_reason or "no rule yet")
            rows.append(f"| {c.id} | {_esc(c.title)} | {kind} | {how} |")
    head = [
        f"{kinds['machine']} of {len(std.controls())} items checked by machine, {kinds['attestation']} by attestation, "
        f"{kinds['none']} not covered.",
        "",
        "| item | title | coverage | rules / how to attest / why not covered |",
        "|---|---|---|---|",
    ]
    return "\n".join(head + rows)


def cis_not_covered(rules: RuleSet, std_id: str = "cis-aws-3.0") -> str:
    std = standards()[std_id]
    by = rules_by_control({r.id: r.spec.controls for r in rules}, std_id)
    rows = []
    for cid, c in std.controls().items():
        if by.get(cid) and c.automated:
            continue
        if not c.automated:
            why = "manual in CIS: a person attests it" + (f" (supporting rules: {', '.join(f'`{r}`' for r in by[cid])})" if by.get(cid) else "")
        else:
            why = _esc(c.not_covered_reason or "no rule yet")
        rows.append(f"| {cid} | {_esc(c.title)} | {why} |")
    head = [f"{len(rows)} of {len(std.controls())} CIS controls have no machine check.", "", "| control | title | why |", "|---|---|---|"]
    return "\n".join(head + rows)


def fsbp_not_covered(rules: RuleSet) -> str:
    std = standards()["fsbp"]
    by = rules_by_control({r.id: r.spec.controls for r in rules}, "fsbp")
    missing = [c for c in std.controls() if not by.get(c)]
    return f"{len(missing)} of {len(std.controls())} FSBP controls in the catalogue have no rule yet: " + (", ".join(missing) or "none") + "."


SECTIONS: dict[str, Callable[[RuleSet], str]] = {
    "per-standard": per_standard,
    "per-service": per_service,
    "baseline-coverage": baseline_coverage,
    "cis-not-covered": cis_not_covered,
    "cis-gcp-not-covered": lambda rules: cis_not_covered(rules, "cis-gcp-3.0"),
    "fsbp-not-covered": fsbp_not_covered,
}


def render(text: str, rules: RuleSet) -> str:
    """``text`` with every generated block re-rendered; an unknown block name is an error."""

    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in SECTIONS:
            raise KeyError(f"unknown generated block {name!r} (known: {', '.join(SECTIONS)})")
        return f"{m.group(1)}{SECTIONS[name](rules)}\n{m.group(4)}"

    return BLOCK.sub(sub, text)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("docs/standards.md")
    path.write_text(render(path.read_text(encoding="utf-8"), load_rules()), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
