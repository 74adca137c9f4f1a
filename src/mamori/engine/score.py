"""The compliance score.

Formula (per standard, account and category):

    score = 100 * sum(weight(r) for PASS results) / sum(weight(r) for PASS and FAIL results)

with weights by severity: critical 10, high 5, medium 3, low 1, informational 0.
UNKNOWN results (data not collected) are counted apart and never enter the score, so a
region that could not be read neither raises nor lowers it; the row says how many there
were. A result counts in every category its rule maps to. ``*`` stands for "all".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from mamori.model.finding import Result, ResultStatus, Severity
from mamori.rules.loader import RuleSet
from mamori.standards import standards

WEIGHTS: dict[Severity, int] = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 5,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
    Severity.INFORMATIONAL: 0,
}

ALL = "*"


@dataclass(frozen=True)
class ScoreRow:
    standard: str
    account: str
    category: str
    passed: int
    failed: int
    unknown: int
    weight_passed: int
    weight_total: int

    @property
    def score(self) -> float | None:
        if self.weight_total == 0:
            return None if self.passed + self.failed == 0 else 100.0
        return round(100.0 * self.weight_passed / self.weight_total, 1)


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
