"""Each control's status in one scan, from per-rule result counts and attestations (pure).

How a control is covered (:class:`CoverageKind`):

    machine       automatable, and at least one evaluated rule maps to it
    attestation   ``automated: false`` in the catalogue (no API can check it), or no rule
                  maps to it: a person's attestation covers it while it is valid
    none          neither (no rule, no valid attestation)

Its status (:class:`ControlStatus`):

    failing       a rule mapped to it failed on some resource (also for a control covered
                  by attestation: a supporting rule's failure is not hidden by a person's word)
    unknown       nothing failed, but some result was UNKNOWN (data not collected), or the
                  estate was never scanned
    passing       every result of its rules passed
    no resources  its rules were evaluated but found nothing to look at
    attested      covered by a valid attestation (and no supporting rule failed)
    not covered   no rule and no valid attestation
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mamori.catalog import Control, Standard
from mamori.model.finding import Result, ResultStatus
from mamori.standards.attestation import ALL_ACCOUNTS, Attestation

RuleControls = Mapping[str, Mapping[str, Sequence[str]]]
"""rule id -> standard id -> control ids (a rule's ``controls:``)."""


class ControlStatus(StrEnum):
    PASSING = "passing"
    FAILING = "failing"
    UNKNOWN = "unknown"
    NO_RESOURCES = "no resources"
    ATTESTED = "attested"
    NOT_COVERED = "not covered"


class CoverageKind(StrEnum):
    MACHINE = "machine"
    ATTESTED = "attested"
    NONE = "not covered"


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many results one rule gave in one account in one scan."""

    rule_id: str
    account: str
    passed: int = 0
    failed: int = 0
    unknown: int = 0


def count_results(results: Iterable[Result]) -> list[RuleCount]:
    acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    slot = {ResultStatus.PASS: 0, ResultStatus.FAIL: 1, ResultStatus.UNKNOWN: 2}
    for r in results:
        acc[(r.rule_id, r.account)][slot[r.status]] += 1
    return [RuleCount(rule, account, p, f, u) for (rule, account), (p, f, u) in sorted(acc.items())]


@dataclass(frozen=True)
class ControlState:
    standard: str
    control: Control
    category: str
    coverage: CoverageKind
    status: ControlStatus
    rules: tuple[str, ...] = ()
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    attestation: Attestation | None = None
    note: str = ""

    @property
    def attestable(self) -> bool:
        return not self.control.automated or not self.rules

    def to_dict(self) -> dict[str, object]:
        a = self.attestation
        return {
            "standard": self.standard,
            "control": self.control.id,
            "title": self.control.title,
            "category": self.category,
            "automated": self.control.automated,
            "coverage": self.coverage.value,
            "status": self.status.value,
            "rules": list(self.rules),
            "passed": self.passed,
            "failed": self.failed,
            "unknown": self.unknown,
            "attestation": None if a is None else {"id": a.id, "by": a.by, "evidence": a.evidence, "expires_at": a.expires_at.isoformat()},
            "note": self.note,
        }


def rules_by_control(rule_controls: RuleControls, standard: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for rule_id in sorted(rule_controls):
        for cid in rule_controls[rule_id].get(standard, ()):
            out[cid].append(rule_id)
    return out


def _attestation_for(control: str, standard: str, atts: Sequence[Attestation], account: str, at: datetime) -> Attestation | None:
    valid = [a for a in atts if a.standard == standard and a.control == control and a.covers(account) and a.valid_at(at)]
    return max(valid, key=lambda a: a.expires_at) if valid else None


def _lapsed(control: str, standard: str, atts: Sequence[Attestation], account: str, at: datetime) -> str:
    past = [a for a in atts if a.standard == standard and a.control == control and a.covers(account) and a.created_at <= at]
    if not past:
        return ""
    last = max(past, key=lambda a: a.expires_at)
    return f"attestation {last.id} by {last.by} {last.state_at(at).value}"


def control_states(
    std: Standard,
    rule_controls: RuleControls,
    counts: Iterable[RuleCount],
    attestations: Iterable[Attestation],
    *,
    at: datetime,
    account: str = ALL_ACCOUNTS,
    scanned: bool = True,
) -> list[ControlState]:
    """The state of every control of ``std`` for one account (or ``*``: all of them) at ``at``."""
    return states_from_totals(std, rule_controls, rule_totals(counts, account), attestations, at=at, account=account, scanned=scanned)


def rule_totals(counts: Iterable[RuleCount], account: str = ALL_ACCOUNTS) -> dict[str, list[int]]:
    """rule id -> [passed, failed, unknown] in one account (or all of them)."""
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for c in counts:
        if account == ALL_ACCOUNTS or c.account == account:
            t = per_rule[c.rule_id]
            t[0] += c.passed
            t[1] += c.failed
            t[2] += c.unknown
    return dict(per_rule)


def states_from_totals(
    std: Standard,
    rule_controls: RuleControls,
    per_rule: Mapping[str, Sequence[int]],
    attestations: Iterable[Attestation],
    *,
    at: datetime,
    account: str = ALL_ACCOUNTS,
    scanned: bool = True,
) -> list[ControlState]:
    """:func:`control_states` from per-rule totals already summed for ``account``."""
    atts = [a for a in attestations if a.standard == std.id]
    by_control = rules_by_control(rule_controls, std.id)
    out: list[ControlState] = []
    for cat in std.categories:
        for ctl in cat.controls:
            rules = tuple(by_control.get(ctl.id, ()))
            p = sum(per_rule[r][0] for r in rules if r in per_rule)
            f = sum(per_rule[r][1] for r in rules if r in per_rule)
            u = sum(per_rule[r][2] for r in rules if r in per_rule)
            att = None
            note = ""
            if ctl.automated and rules:
                coverage = CoverageKind.MACHINE
                if not scanned:
                    status, note = ControlStatus.UNKNOWN, "not scanned yet"
                elif f:
                    status = ControlStatus.FAILING
                elif u:
                    status = ControlStatus.UNKNOWN
                elif p:
                    status = ControlStatus.PASSING
                else:
                    status = ControlStatus.NO_RESOURCES
            else:
                att = _attestation_for(ctl.id, std.id, atts, account, at)
                coverage = CoverageKind.ATTESTED if att else CoverageKind.NONE
                status = ControlStatus.FAILING if f else ControlStatus.ATTESTED if att else ControlStatus.NOT_COVERED
                parts = ["a supporting rule fails"] if f else []
                if att is None:
                    lapsed = _lapsed(ctl.id, std.id, atts, account, at)
                    if lapsed:
                        parts.append(lapsed)
                    elif not ctl.automated:
                        parts.append("needs an attestation (mamori attest)")
                    else:
                        parts.append(ctl.not_covered_reason or "no rule checks it")
                note = "; ".join(parts)
            out.append(ControlState(std.id, ctl, cat.id, coverage, status, rules, p, f, u, att, note))
    return out
