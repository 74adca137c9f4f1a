"""Severity of an advisory: CVSS base scores computed with the ``cvss`` library, else the database's word.

The score is the highest base score among the record's CVSS v3.x and v4.0 vectors (v2 only
when there is nothing newer): a gate errs on the side of the worse reading. Without a
vector, ``database_specific.severity`` (GitHub: CRITICAL / HIGH / MODERATE / LOW) or the
affected entry's ``ecosystem_specific.severity`` is used. No information: severity None
("unknown" in policies and outputs).
"""

from __future__ import annotations

from functools import lru_cache

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from mamori.gate.deps.osv.record import Advisory
from mamori.model.finding import Severity

_WORDS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "none": Severity.INFORMATIONAL,
    "info": Severity.INFORMATIONAL,
    "informational": Severity.INFORMATIONAL,
}


def rating(score: float) -> Severity:
    """CVSS qualitative rating (the same bands in v3.x and v4.0)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFORMATIONAL


@lru_cache(maxsize=50_000)
def base_score(kind: str, vector: str) -> float | None:
    """The base score of a CVSS vector, or None when the vector does not parse."""
    try:
        if kind == "CVSS_V4" or vector.startswith("CVSS:4"):
            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V3" or vector.startswith("CVSS:3"):
            return float(CVSS3(vector).scores()[0])
        if kind == "CVSS_V2":
            return float(CVSS2(vector).scores()[0])
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return None


def word(value: str | None) -> Severity | None:
    if not value:
        return None
    return _WORDS.get(value.strip().lower())


def assess(advisory: Advisory, entry_severity: str | None = None) -> tuple[Severity | None, float | None]:
    """(severity, base score) of an advisory."""
    modern: list[float] = []
    legacy: list[float] = []
    for kind, vector in advisory.severity:
        s = base_score(kind, vector)
        if s is None:
            continue
        (legacy if kind == "CVSS_V2" else modern).append(s)
    scores = modern or legacy
    if scores:
        best = max(scores)
        return rating(best), best
    return word(advisory.db_severity) or word(entry_severity), None
