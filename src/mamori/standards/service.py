"""The standards as the server shows them to a reader who sees some accounts, and attesting from the page.

:func:`standard_status` gives every control's state (machine / attested / not covered, and
passing / failing / ...) from each visible account's latest scan, summed in SQL over those
accounts only (``accounts``: ``None`` = every account). Attestations count as they are
*now*: one account's view counts that account's attestations and organisation-wide ones;
a view over several accounts counts organisation-wide ones only.

:func:`attest_control` is the one way to record an attestation from the server: the same
checks as ``mamori attest`` (the control exists; a control a rule checks is the
machine's), a reader scoped to some accounts may attest for one of those only (never
organisation-wide), and the attestation and its audit entry (``standards.attest``, with
the acting user) are written in one transaction by :class:`StandardsStore`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select, true

from mamori.catalog import Standard
from mamori.errors import InputError
from mamori.findings.tables import scores
from mamori.standards.attestation import (
    ALL_ACCOUNTS,
    Attestation,
    check_attestable,
    find_control,
    parse_expiry,
)
from mamori.standards.score import ALL, CoverageRow, coverage
from mamori.standards.status import ControlState, RuleControls, rules_by_control, states_from_totals
from mamori.standards.store import StandardsStore
from mamori.standards.tables import rule_counts, scan_rules
from mamori.standards.view import get_standard


@dataclass(frozen=True)
class StandardStatus:
    standard: Standard
    account: str  # the one visible account, or * (several or all)
    scans: int  # how many scans the statuses come from (one per account's latest)
    states: tuple[ControlState, ...]
    coverage: CoverageRow | None

    def to_dict(self) -> dict[str, Any]:
        cov = None if self.coverage is None else {k: v for k, v in self.coverage.to_dict().items() if k not in ("standard", "account", "category")}
        return {
            "standard": self.standard.id, "title": self.standard.title, "account": self.account, "scans": self.scans,
            "coverage": cov, "controls": [s.to_dict() for s in self.states],
        }  # fmt: skip


def _visible(col: Any, accounts: frozenset[str] | None) -> Any:
    return true() if accounts is None else col.in_(sorted(accounts))


def standard_status(engine: Engine, standard_id: str, *, accounts: frozenset[str] | None, now: datetime) -> StandardStatus:
    std = get_standard(standard_id)
    key = next(iter(accounts)) if accounts is not None and len(accounts) == 1 else ALL
    per_rule: dict[str, list[int]] = {}
    mapping: dict[str, dict[str, list[str]]] = {}
    n_scans = 0
    if accounts is None or accounts:
        c = scores.c
        latest = (
            select(c.account, func.max(c.at).label("at"))
            .where(_visible(c.account, accounts), c.account != ALL, c.standard == std.id, c.category == ALL)
            .group_by(c.account)
            .subquery()
        )
        pairs = (
            select(c.scan_id, c.account)
            .join(latest, and_(c.account == latest.c.account, c.at == latest.c.at))
            .where(c.standard == std.id, c.category == ALL)
            .subquery()
        )
        rc = rule_counts.c
        totals = (
            select(rc.rule_id, func.sum(rc.passed), func.sum(rc.failed), func.sum(rc.unknown))
            .join(pairs, and_(rc.scan_id == pairs.c.scan_id, rc.account == pairs.c.account))
            .group_by(rc.rule_id)
        )
        with engine.connect() as conn:
            per_rule = {r: [int(p or 0), int(f or 0), int(u or 0)] for r, p, f, u in conn.execute(totals)}
            scan_ids = sorted({s for (s,) in conn.execute(select(pairs.c.scan_id).distinct())})
            n_scans = len(scan_ids)
            for i in range(0, len(scan_ids), 500):
                q = select(scan_rules.c.rule_id, scan_rules.c.controls).where(scan_rules.c.scan_id.in_(scan_ids[i : i + 500]))
                for rid, ctl in conn.execute(q):
                    mapping.setdefault(rid, {k: list(v) for k, v in dict(ctl or {}).items()})
    atts = StandardsStore(engine).attestations(standard=std.id)
    states = states_from_totals(std, mapping, per_rule, atts, at=now, account=key, scanned=n_scans > 0)
    cov = next((r for r in coverage(states, key) if r.category == ALL), None)
    return StandardStatus(std, key, n_scans, tuple(states), cov)


def attest_control(
    engine: Engine,
    *,
    standard: str,
    control: str,
    evidence: str,
    expires: str,
    actor: str,
    by: str | None = None,
    account: str = ALL_ACCOUNTS,
    accounts: frozenset[str] | None,
    rule_controls: RuleControls | Iterable[tuple[str, dict[str, list[str]]]] | None = None,
    now: datetime,
) -> Attestation:
    """Record an attestation for ``control`` as ``actor`` (see the module docstring); InputError when refused."""
    std = get_standard(standard)
    ctl = find_control(std, control)
    if accounts is not None and (account == ALL_ACCOUNTS or account not in accounts):
        raise InputError("you may attest only for one of the accounts you see (not for the whole organisation)")
    mapping = dict(rule_controls or {})
    if not mapping:  # the rules of the latest scan
        refs = StandardsStore(engine).scan_refs()
        if refs:
            with engine.connect() as conn:
                q = select(scan_rules.c.rule_id, scan_rules.c.controls).where(scan_rules.c.scan_id == refs[-1].id)
                mapping = {rid: dict(ctl_map or {}) for rid, ctl_map in conn.execute(q)}
    check_attestable(ctl, std.id, rules_by_control(mapping, std.id).get(ctl.id, []))
    return StandardsStore(engine).attest(
        standard=std.id, control=ctl.id, by=(by or actor), evidence=evidence, expires_at=parse_expiry(expires, now),
        account=account, recorded_by=actor, now=now,
    )  # fmt: skip
