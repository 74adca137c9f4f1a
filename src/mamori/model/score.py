"""One row of the compliance score (per standard, account and category). No I/O.

Computed by :func:`mamori.standards.score.score`, stored with the scan by the findings store.
"""

from __future__ import annotations

from dataclasses import dataclass


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
