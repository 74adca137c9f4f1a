"""Changes to many findings at once, on a filter: suppress, assign an owner; and one suppression, audited.

Each function is one transaction under the store's write lock and one entry in the
hash-chained audit log (``mamori.audit``) with the acting user, however many findings it
touches. The work is set-based SQL (``INSERT ... SELECT``, ``UPDATE ... WHERE id IN
(SELECT ...)``) over the same conditions as the findings pages (:mod:`mamori.hub.page`),
restricted to the accounts the user sees: 10,000 findings are a handful of statements,
never a loop of single updates.

Bulk suppress creates one suppression per open finding of the filter (selector: that
finding's id, rule, account, region and resource, so it can never reach another finding),
all sharing one origin ``bulk:<id>``; they expire together and can be listed and removed
like any other. Assigning an owner sets ``findings.owner``, which wins over the owners
mapping; assigning no owner hands the findings back to the mapping.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, exists, false, func, insert, literal, null, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.audit import record_in
from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.errors import InputError, StoreError
from mamori.findings import Store
from mamori.findings import suppressions as ops
from mamori.findings.tables import finding_history, finding_meta, findings, suppressions
from mamori.hub.page import OPEN, Accounts, FindingsQuery, conditions, joined, visible
from mamori.model.finding import FindingStatus
from mamori.model.suppression import Selector, Suppression, SuppressionId
from mamori.store.base import JSONType, UTCDateTime
from mamori.store.db import write_transaction

MAX_BULK = 50_000
MAX_REASON = 2_000
MAX_NAME = 200
SUPPRESSED = FindingStatus.SUPPRESSED.value


@dataclass(frozen=True)
class BulkResult:
    action: str  # the audit action
    subject: str  # the audit subject: bulk:<id> for suppressions, the owner for assignments
    findings: int  # how many findings changed
    audit_seq: int
    expires_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "subject": self.subject, "findings": self.findings, "audit_seq": self.audit_seq,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None, **self.details}  # fmt: skip


def _text(value: str | None, what: str, limit: int) -> str:
    v = (value or "").strip()
    if not v:
        raise InputError(f"{what} is required", where=what)
    if len(v) > limit:
        raise InputError(f"{what} is {len(v)} characters long; at most {limit}", where=what)
    return v


def bulk_suppress(
    store: Store,
    query: FindingsQuery,
    owners: OwnersConfig,
    sla: SlaConfig,
    *,
    reason: str,
    approver: str,
    expires: str,
    actor: str,
    accounts: Accounts = None,
    now: datetime | None = None,
    max_findings: int = MAX_BULK,
) -> BulkResult:
    """Suppress every open finding matching ``query`` that ``accounts`` may see; reason, approver, expiry required."""
    now = now or datetime.now(UTC)
    reason = _text(reason, "reason", MAX_REASON)
    approver = _text(approver, "approver", MAX_NAME)
    expires_at = ops.parse_expiry(expires or "", now)
    batch = uuid.uuid4().hex[:12]
    origin, prefix = f"bulk:{batch}", f"b-{batch}-"
    conds = [*conditions(query, owners, sla, now, accounts), findings.c.status.in_([s.value for s in OPEN])]
    mine = suppressions.c.origin == origin
    try:
        with write_transaction(store.engine) as conn:
            src = select(
                literal(prefix) + findings.c.id, findings.c.rule_id, findings.c.account, findings.c.region,
                findings.c.resource_id, findings.c.id, literal({}, JSONType), literal(reason), literal(approver),
                literal(actor), literal(now, UTCDateTime()), literal(expires_at, UTCDateTime()), literal(origin),
            ).select_from(joined()).where(*conds)  # fmt: skip
            cols = ["id", "rule_id", "account", "region", "resource_id", "finding_id", "tags", "reason", "approver",
                    "created_by", "created_at", "expires_at", "origin"]  # fmt: skip
            conn.execute(insert(suppressions).from_select(cols, src))
            n = int(conn.scalar(select(func.count()).select_from(suppressions).where(mine)) or 0)  # (rowcount: -1 on psycopg)
            if n > max_findings:  # raising rolls the whole transaction back
                raise InputError(f"the filter matches {n} open findings; bulk suppress takes at most {max_findings}: narrow the filter")
            picked = select(suppressions.c.finding_id).where(mine)
            note = literal("suppressed by ") + suppressions.c.id + literal(f": {reason}")
            hist = select(
                findings.c.id, literal(now, UTCDateTime()), findings.c.status, literal(SUPPRESSED), literal(actor), note
            ).select_from(suppressions.join(findings, findings.c.id == suppressions.c.finding_id)).where(mine)
            conn.execute(insert(finding_history).from_select(["finding_id", "at", "from_status", "to_status", "actor", "note"], hist))
            conn.execute(
                update(finding_meta)
                .where(finding_meta.c.finding_id.in_(picked))
                .values(suppression_id=literal(prefix) + finding_meta.c.finding_id)
            )
            missing = select(suppressions.c.finding_id, literal({}, JSONType), null(), suppressions.c.id).where(
                mine, ~exists().where(finding_meta.c.finding_id == suppressions.c.finding_id)
            )
            conn.execute(insert(finding_meta).from_select(["finding_id", "tags", "root_cause", "suppression_id"], missing))
            conn.execute(update(findings).where(findings.c.id.in_(picked)).values(status=SUPPRESSED))
            details = {"filter": query.to_dict(), "findings": n, "reason": reason, "approver": approver,
                       "expires_at": expires_at.isoformat(), "suppression_ids": f"{prefix}<finding id>"}  # fmt: skip
            entry = record_in(conn, actor=actor, action="suppression.bulk_add", subject=origin, details=details, at=now)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not suppress the findings: {exc}") from exc
    return BulkResult("suppression.bulk_add", origin, n, entry.seq, expires_at, {"reason": reason, "approver": approver})


def assign_owner(
    store: Store,
    query: FindingsQuery,
    owners: OwnersConfig,
    sla: SlaConfig,
    *,
    owner: str | None,
    actor: str,
    accounts: Accounts = None,
    now: datetime | None = None,
    max_findings: int = 200_000,
) -> BulkResult:
    """Make ``owner`` the owner of every finding matching ``query`` that ``accounts`` may see (None: back to the mapping)."""
    now = now or datetime.now(UTC)
    team = (owner or "").strip() or None
    if team is not None and len(team) > MAX_NAME:
        raise InputError(f"owner is {len(team)} characters long; at most {MAX_NAME}", where="owner")
    conds = conditions(query, owners, sla, now, accounts)
    try:
        with write_transaction(store.engine) as conn:
            n = _count(conn, conds)
            if n > max_findings:
                raise InputError(f"the filter matches {n} findings; assign takes at most {max_findings}: narrow the filter")
            if n:
                ids = select(findings.c.id).select_from(joined()).where(*conds)
                conn.execute(update(findings).where(findings.c.id.in_(ids.scalar_subquery())).values(owner=team))
            details = {"filter": query.to_dict(), "findings": n, "owner": team}
            entry = record_in(conn, actor=actor, action="finding.assign", subject=team or "(owners mapping)", details=details, at=now)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not assign the owner: {exc}") from exc
    return BulkResult("finding.assign", team or "", n, entry.seq, None, {"owner": team})


def _count(conn: Connection, conds: list[Any]) -> int:
    return int(conn.scalar(select(func.count()).select_from(joined()).where(*conds)) or 0)


@dataclass(frozen=True)
class SuppressionRequest:
    """One suppression as a person asks for it (API, form): exact selectors, reason, approver, expiry."""

    reason: str
    approver: str
    expires: str
    rule: str | None = None
    resource: str | None = None
    account: str | None = None
    region: str | None = None
    finding: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def add_suppression(
    store: Store,
    req: SuppressionRequest,
    *,
    actor: str,
    known_rules: set[str],
    accounts: Accounts = None,
    now: datetime | None = None,
    origin: str = "server",
) -> tuple[Suppression, list[str]]:
    """Store one suppression, suppress the open findings it matches and audit it, in one transaction.

    A user who sees only some accounts must pin it to one of them (``account``, or a
    ``finding`` of theirs): a suppression without an account would reach accounts the user
    cannot see. Returns the suppression and the ids of the findings it suppressed.
    """
    now = now or datetime.now(UTC)
    reason = _text(req.reason, "reason", MAX_REASON)
    approver = _text(req.approver, "approver", MAX_NAME)
    expires_at = ops.parse_expiry(req.expires or "", now)
    rule, resource, account, region = (_opt(v) for v in (req.rule, req.resource, req.account, req.region))
    if rule is not None and rule not in known_rules:
        from mamori.rules.refs import check_rule_id

        check_rule_id(rule, known_rules, where="rule")
    fid = None
    if req.finding:
        with store.engine.connect() as conn:
            row = conn.execute(select(findings.c.id, findings.c.account).where(findings.c.id == req.finding.strip())).first()
        if row is None or not visible(accounts, row.account):
            raise InputError(f"no finding with id {req.finding!r}", where="finding")
        fid, account = row.id, account or row.account
        if account != row.account:
            raise InputError(f"finding {fid} is in account {row.account}, not {account}", where="account")
    if accounts is not None and not visible(accounts, account):
        raise InputError(
            "you see only some accounts: name one of them (account) or a finding of theirs" if account is None
            else f"account {account!r} is not one you can see", where="account",
        )  # fmt: skip
    try:
        sel = Selector(rule_id=rule, account=account, region=region, resource_id=resource, finding_id=fid, tags=dict(req.tags))
    except ValueError as exc:
        raise InputError(str(exc), where="rule") from None
    s = Suppression(
        id=SuppressionId("s-" + uuid.uuid4().hex[:12]), selector=sel, reason=reason, approver=approver,
        expires_at=expires_at, created_at=now, created_by=actor, origin=origin,
    )  # fmt: skip
    try:
        with write_transaction(store.engine) as conn:
            conn.execute(insert(suppressions), ops.suppression_row(s))
            ids = ops.apply_suppressions(conn, [s], now, actor)
            details = {**s.to_dict(), "suppressed": len(ids)}
            record_in(conn, actor=actor, action="suppression.add", subject=s.id, details=details, at=now)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not store the suppression: {exc}") from exc
    return s, ids


def known_rules(store: Store, rule_paths: list[Path], rule: str | None) -> set[str]:
    """The rule ids a suppression may name: the rule library and ``rule_paths``, and rules findings were stored for.

    The store is asked only about ``rule`` when it is not a rule file (the full list, for
    "did you mean", only when it is in neither).
    """
    from mamori.rules.refs import rule_files

    files = set(rule_files(rule_paths))
    if not rule or rule in files:
        return files
    with store.engine.connect() as conn:
        if conn.execute(select(findings.c.id).where(findings.c.rule_id == rule).limit(1)).first() is not None:
            return files | {rule}
    return files | store.rule_ids()


def _opt(v: str | None) -> str | None:
    v = (v or "").strip()
    if len(v) > 2048:
        raise InputError("a selector value is longer than 2,048 characters")
    return v or None


def list_suppressions(
    store: Store, *, accounts: Accounts = None, include_inactive: bool = False, limit: int = 100, cursor: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Suppression], str | None]:  # fmt: skip
    """Suppressions in id order, a page at a time (cursor = the last id); a scoped user sees those pinned to their accounts."""
    now = now or datetime.now(UTC)
    q = select(suppressions)
    if accounts is not None:
        q = q.where(suppressions.c.account.in_(sorted(accounts))) if accounts else q.where(false())
    if not include_inactive:
        q = q.where(suppressions.c.removed_at.is_(None), suppressions.c.expires_at > now)
    if cursor:
        q = q.where(suppressions.c.id < cursor)
    q = q.order_by(suppressions.c.id.desc()).limit(limit + 1)
    with store.engine.connect() as conn:
        items = [ops.row_to_suppression(r) for r in conn.execute(q)]
    more = len(items) > limit
    items = items[:limit]
    return items, (items[-1].id if more and items else None)
