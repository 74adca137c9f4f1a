"""The compliance score, and what it covers.

**Score** (per standard, account and category)::

    score = 100 * sum(weight(r) for PASS results) / sum(weight(r) for PASS and FAIL results)

with weights by severity: critical 10, high 5, medium 3, low 1, informational 0 (so an
informational rule is reported but never moves the score; a category with only such
results scores 100). UNKNOWN results (data not collected) are counted apart and never
enter the score, so a region that could not be read neither raises nor lowers it; the
row says how many there were. A result counts in every category its rule maps to (once
in the overall ``*`` row). ``*`` stands for "all". A custom rule from ``rule_paths``
counts exactly like a built-in one: scores come from the rules' ``controls:``.

**Coverage** (per standard, account and category; see :mod:`mamori.standards.status`):
every control is covered by **machine** (an automatable control that an evaluated rule
maps to), **attested** (a person's valid attestation; controls marked ``automated:
false`` can only be covered this way) or **not covered**. The score is the machine-
checked weight only; attested and uncovered controls are counted beside it and never
raise it::

    baseline: 71.3% of machine-checked weight passing; 16 of 26 items checked by machine,
    7 attested, 3 not covered

Control statuses are counted too (passing, failing, unknown, no resources); attested
controls whose supporting rules fail count as failing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mamori.catalog import standards
from mamori.model.finding import Result, ResultStatus, Severity
from mamori.model.score import ScoreRow
from mamori.rules.loader import RuleSet
from mamori.standards.attestation import Attestation
from mamori.standards.status import (
    ControlState,
    ControlStatus,
    CoverageKind,
    RuleControls,
    RuleCount,
    rule_totals,
    states_from_totals,
)

WEIGHTS: dict[Severity, int] = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 5,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
    Severity.INFORMATIONAL: 0,
}

ALL = "*"


def score(results: Iterable[Result], rules: RuleSet) -> list[ScoreRow]:
    catalogue = standards()
    # rule -> standard -> categories
    cats: dict[str, dict[str, set[str]]] = {}
    for rule in rules:
        per: dict[str, set[str]] = {}
        for std_id, ctrl_ids in rule.spec.controls.items():
            std = catalogue[std_id]
            per[std_id] = {std.category_of(c) for c in ctrl_ids}
        cats[rule.id] = per
    acc: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for r in results:
        mapped = cats.get(r.rule_id)
        if not mapped:
            continue
        w = WEIGHTS[r.severity]
        for std_id, categories in mapped.items():
            for account in (r.account, ALL):
                for cat in (*categories, ALL):
                    row = acc[(std_id, account, cat)]
                    if r.status is ResultStatus.PASS:
                        row[0] += 1
                        row[3] += w
                        row[4] += w
                    elif r.status is ResultStatus.FAIL:
                        row[1] += 1
                        row[4] += w
                    else:
                        row[2] += 1
    return [
        ScoreRow(std, account, cat, p, f, u, wp, wt)
        for (std, account, cat), (p, f, u, wp, wt) in sorted(acc.items())
    ]


@dataclass(frozen=True)
class CoverageRow:
    """How a standard's controls (in one account and category) are covered and how they stand."""

    standard: str
    account: str
    category: str
    controls: int
    machine: int
    attested: int
    not_covered: int
    passing: int
    failing: int
    unknown: int
    no_resources: int

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def coverage(states: Iterable[ControlState], account: str = ALL) -> list[CoverageRow]:
    """Count control states by category (and ``*``) for each standard seen."""
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 8)
    kind_slot = {CoverageKind.MACHINE: 1, CoverageKind.ATTESTED: 2, CoverageKind.NONE: 3}
    status_slot = {ControlStatus.PASSING: 4, ControlStatus.FAILING: 5, ControlStatus.UNKNOWN: 6, ControlStatus.NO_RESOURCES: 7}
    for st in states:
        for cat in (st.category, ALL):
            row = acc[(st.standard, cat)]
            row[0] += 1
            row[kind_slot[st.coverage]] += 1
            if st.status in status_slot:
                row[status_slot[st.status]] += 1
    return [CoverageRow(std, account, cat, *vals) for (std, cat), vals in sorted(acc.items())]


def explain(standard: str, row: ScoreRow | None, cov: CoverageRow | None) -> str:
    """One honest sentence: the machine score and what it does not cover."""
    if row is None or row.score is None:
        head = f"{standard}: no machine-checked result"
    else:
        head = f"{standard}: {row.score:.1f}% of machine-checked weight passing"
    if cov is None:
        return head
    return (
        f"{head}; {cov.machine} of {cov.controls} items checked by machine, "
        f"{cov.attested} attested, {cov.not_covered} not covered"
    )


def coverage_for_scan(
    rule_controls: RuleControls,
    counts: Sequence[RuleCount],
    attestations: Sequence[Attestation],
    accounts: Iterable[str],
    *,
    at: datetime,
) -> list[CoverageRow]:
    """Coverage rows of every standard, for each account and for ``*``, at time ``at``."""
    by_account: dict[str, list[RuleCount]] = defaultdict(list)
    for c in counts:
        by_account[c.account].append(c)
    scopes = (ALL, *sorted(set(accounts)))
    totals = {a: rule_totals(counts if a == ALL else by_account.get(a, []), a) for a in scopes}
    out: list[CoverageRow] = []
    for std in standards().values():
        for account in scopes:
            out.extend(coverage(states_from_totals(std, rule_controls, totals[account], attestations, at=at, account=account), account))
    return out
