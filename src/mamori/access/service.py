"""The access service: request, approve, deny, grant, revoke, expire, break-glass, review.

Shared by the CLI, the server and the scheduler; nothing here prints. Every change is
written in one transaction with its audit entry (``access.request``, ``access.approve``,
``access.deny``, ``access.grant``, ``access.revoke``, ``access.expire``,
``access.break_glass``, ``access.review_close``), each carrying the ticket or finding.
The cloud calls (a :class:`~mamori.access.granters.Granter`) happen between transactions;
their outcome is recorded either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.access.granters import Granter
from mamori.access.model import AccessRefused, AccessRequest, Grant, GrantError, Kind, RequestStatus, new_id
from mamori.access.tables import grants, requests
from mamori.audit.log import record, record_in
from mamori.config.access import AccessConfig, parse_duration
from mamori.errors import InputError, StoreError
from mamori.store.db import write_transaction

_ACCOUNT = re.compile(r"^\d{12}$")
_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
MAX_ACCOUNTS = 50
MAX_REASON = 2000


@dataclass(frozen=True)
class NewRequest:
    requester: str
    accounts: Sequence[str]
    permission_set: str
    duration: str
    reason: str
    ticket: str | None = None
    finding: str | None = None


def _row_grant(r: Any) -> Grant:
    return Grant(r.id, r.request_id, r.account, r.permission_set, r.principal, r.principal_id, r.starts_at, r.ends_at,
                 r.state, r.ended_at, r.end_reason, r.assignment, r.details or {})  # fmt: skip


def _row(r: Any, gs: Sequence[Grant] = ()) -> AccessRequest:
    return AccessRequest(
        r.id, Kind(r.kind), r.requester, list(r.accounts), r.permission_set, r.duration_s, r.reason, r.ticket,
        r.finding_id, RequestStatus(r.status), list(r.approvers), r.approvals_required, list(r.approvals),
        r.decided_by, r.created_at, r.updated_at, r.starts_at, r.ends_at, r.review, r.review_note, r.mode, tuple(gs),
    )  # fmt: skip


def _check(new: NewRequest, cfg: AccessConfig, groups: dict[str, list[str]]) -> tuple[list[str], timedelta, Any]:
    accounts = sorted({a.strip() for a in new.accounts if a.strip()})
    if not accounts:
        raise InputError("--account names no account")
    if len(accounts) > MAX_ACCOUNTS:
        raise InputError(f"at most {MAX_ACCOUNTS} accounts in one request")
    bad = [a for a in accounts if not _ACCOUNT.match(a)]
    if bad:
        raise InputError(f"{bad[0]!r} is not a 12-digit AWS account id", where="--account")
    if not _NAME.match(new.permission_set):
        raise InputError(f"{new.permission_set[:80]!r} is not a permission set name", where="--permission-set")
    if not new.reason.strip() or len(new.reason) > MAX_REASON:
        raise InputError(f"the reason is required, at most {MAX_REASON} characters", where="--reason")
    if bool(new.ticket) == bool(new.finding):
        raise InputError("name the problem: either --ticket REF or --finding ID")
    for label, v in (("--ticket", new.ticket), ("--finding", new.finding)):
        if v is not None and (len(v) > 200 or not v.strip()):
            raise InputError("at most 200 characters", where=label)
    try:
        duration = parse_duration(new.duration)
    except ValueError as exc:
        raise InputError(str(exc), where="--duration") from None
    policy = cfg.policy_for(new.permission_set, accounts, groups)
    if duration > policy.max_duration:
        raise AccessRefused(
            f"{new.duration} is longer than the {int(policy.max_duration.total_seconds() // 60)}m allowed for "
            f"{new.permission_set} in these accounts",
            where="--duration",
        )
    return accounts, duration, policy


def _write(engine: Engine, fn: Callable[[Connection], Any]) -> Any:
    try:
        with write_transaction(engine) as conn:
            return fn(conn)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not write the access store: {exc}") from exc


def get(engine: Engine, req_id: str) -> AccessRequest:
    with engine.connect() as conn:
        r = conn.execute(select(requests).where(requests.c.id == req_id)).first()
        if r is None:
            raise InputError(f"no access request {req_id[:40]!r} (mamori access list)")
        gs = [_row_grant(g) for g in conn.execute(select(grants).where(grants.c.request_id == req_id).order_by(grants.c.id))]
    return _row(r, gs)


def list_requests(engine: Engine, *, status: Sequence[str] = (), limit: int = 500) -> list[AccessRequest]:
    q = select(requests).order_by(requests.c.created_at.desc(), requests.c.id).limit(limit)
    if status:
        q = q.where(requests.c.status.in_(list(status)))
    with engine.connect() as conn:
        rows = list(conn.execute(q))
        ids = [r.id for r in rows]
        by: dict[str, list[Grant]] = {}
        if ids:
            for g in conn.execute(select(grants).where(grants.c.request_id.in_(ids)).order_by(grants.c.id)):
                by.setdefault(g.request_id, []).append(_row_grant(g))
    return [_row(r, by.get(r.id, ())) for r in rows]


def active_grants(engine: Engine, now: datetime) -> list[Grant]:
    with engine.connect() as conn:
        rows = conn.execute(select(grants).where(grants.c.state == "active").order_by(grants.c.ends_at))
        return [g for g in (_row_grant(r) for r in rows) if g.starts_at <= now]


def request_access(
    engine: Engine, cfg: AccessConfig, new: NewRequest, *, now: datetime, groups: dict[str, list[str]] | None = None,
    kind: Kind = Kind.REQUEST,
) -> AccessRequest:  # fmt: skip
    """Record a request (pending until approved)."""
    accounts, duration, policy = _check(new, cfg, groups or {})
    rid = new_id("AR", new.requester, ",".join(accounts), new.permission_set, now.isoformat(), new.reason)

    def tx(conn: Connection) -> None:
        conn.execute(insert(requests), {
            "id": rid, "kind": kind.value, "requester": new.requester, "accounts": accounts,
            "permission_set": new.permission_set, "duration_s": int(duration.total_seconds()), "reason": new.reason,
            "ticket": new.ticket, "finding_id": new.finding, "status": RequestStatus.PENDING.value,
            "approvers": list(policy.approvers), "approvals_required": policy.approvals_required, "approvals": [],
            "decided_by": None, "created_at": now, "updated_at": now, "starts_at": None, "ends_at": None,
            "review": "open" if kind is Kind.BREAK_GLASS else None, "review_note": None, "mode": cfg.mode,
        })  # fmt: skip
        record_in(conn, actor=new.requester, action="access.request" if kind is Kind.REQUEST else "access.break_glass",
                  subject=rid, at=now, details={
                      "accounts": accounts, "permission_set": new.permission_set, "duration": new.duration,
                      "reason": new.reason, "ticket": new.ticket, "finding": new.finding, "result": "recorded",
                      "approvers": list(policy.approvers), "approvals_required": policy.approvals_required,
                  })  # fmt: skip

    _write(engine, tx)
    return get(engine, rid)


def approve(engine: Engine, req_id: str, *, actor: str, now: datetime, granter: Granter) -> AccessRequest:
    """One approval; the last one needed grants access in every account of the request."""
    req = get(engine, req_id)
    if actor == req.requester:
        record(engine, actor=actor, action="access.approve", subject=req_id, at=now,
               details={**req.context, "result": "refused", "why": "self-approval"})  # fmt: skip
        raise AccessRefused(f"{actor} requested {req_id} and cannot approve it")
    if actor not in req.approvers:
        record(engine, actor=actor, action="access.approve", subject=req_id, at=now,
               details={**req.context, "result": "refused", "why": "not an approver"})  # fmt: skip
        raise AccessRefused(f"{actor} is not an approver of {req_id} (approvers: {', '.join(req.approvers) or 'none configured'})")
    if req.status is RequestStatus.PENDING:
        if actor in req.approved_by:
            raise AccessRefused(f"{actor} already approved {req_id}; it needs {req.approvals_required} different approvers")
        approvals = [*req.approvals, {"by": actor, "at": now.isoformat()}]
        complete = len(approvals) >= req.approvals_required

        def tx(conn: Connection) -> None:
            conn.execute(update(requests).where(requests.c.id == req_id).values(
                approvals=approvals, updated_at=now,
                status=(RequestStatus.APPROVED if complete else RequestStatus.PENDING).value,
                decided_by=actor if complete else None))  # fmt: skip
            record_in(conn, actor=actor, action="access.approve", subject=req_id, at=now, details={
                **req.context, "result": "approved" if complete else "approval recorded",
                "approvals": len(approvals), "approvals_required": req.approvals_required})  # fmt: skip

        _write(engine, tx)
        if not complete:
            return get(engine, req_id)
    elif req.status is not RequestStatus.APPROVED:
        raise AccessRefused(f"{req_id} is {req.status.value}; only a pending request can be approved")
    return _grant(engine, get(engine, req_id), actor=actor, now=now, granter=granter)


def _grant(engine: Engine, req: AccessRequest, *, actor: str, now: datetime, granter: Granter) -> AccessRequest:
    ends = now + timedelta(seconds=req.duration_s)
    rows: list[dict[str, Any]] = []
    try:
        for account in req.accounts:
            shared = _others(engine, req.requester, req.permission_set, account, exclude=req.id, now=now)
            if shared:
                details: dict[str, Any] = {"shared_with": shared, **granter.resolve(req.requester, req.permission_set)}
                assignment = "existed"
            else:
                details = granter.assign(account, req.permission_set, req.requester)
                assignment = "created"
            rows.append({"request_id": req.id, "account": account, "permission_set": req.permission_set,
                         "principal": req.requester, "principal_id": details.get("principal_id"), "starts_at": now,
                         "ends_at": ends, "state": "active", "ended_at": None, "end_reason": None,
                         "assignment": assignment, "details": details})  # fmt: skip
    except GrantError as exc:
        record(engine, actor=actor, action="access.grant", subject=req.id, at=now,
               details={**req.context, "result": "failed", "error": str(exc)[:500],
                        "granted_before_failure": [r["account"] for r in rows]})  # fmt: skip
        for r in rows:  # undo the accounts granted before the failure
            if r["assignment"] == "created":
                granter.unassign(r["account"], req.permission_set, req.requester)
        raise

    def tx(conn: Connection) -> None:
        conn.execute(insert(grants), rows)
        conn.execute(update(requests).where(requests.c.id == req.id).values(
            status=RequestStatus.ACTIVE.value, starts_at=now, ends_at=ends, updated_at=now))  # fmt: skip
        record_in(conn, actor=actor, action="access.grant", subject=req.id, at=now, details={
            **req.context, "result": "granted", "requester": req.requester, "mode": granter.mode,
            "permission_set": req.permission_set, "starts_at": now.isoformat(), "ends_at": ends.isoformat(),
            "accounts": {r["account"]: r["assignment"] for r in rows}})  # fmt: skip

    _write(engine, tx)
    return get(engine, req.id)


def _others(engine: Engine, principal: str, permission_set: str, account: str, *, exclude: str, now: datetime) -> list[str]:
    """Other active grants needing the same (principal, permission set, account) assignment."""
    q = select(grants.c.request_id).where(and_(
        grants.c.state == "active", grants.c.principal == principal, grants.c.permission_set == permission_set,
        grants.c.account == account, grants.c.request_id != exclude, grants.c.ends_at > now))  # fmt: skip
    with engine.connect() as conn:
        return sorted({r.request_id for r in conn.execute(q)})


def deny(engine: Engine, req_id: str, *, actor: str, now: datetime, note: str = "") -> AccessRequest:
    """An approver denies a pending request (or its requester withdraws it)."""
    req = get(engine, req_id)
    if req.status not in (RequestStatus.PENDING, RequestStatus.APPROVED):
        raise AccessRefused(f"{req_id} is {req.status.value}; only a pending request can be denied")
    if actor not in req.approvers and actor != req.requester:
        raise AccessRefused(f"{actor} is not an approver of {req_id}")
    if actor == req.requester:
        note = note or "withdrawn by the requester"

    def tx(conn: Connection) -> None:
        conn.execute(update(requests).where(requests.c.id == req_id).values(
            status=RequestStatus.DENIED.value, decided_by=actor, updated_at=now, review_note=note[:2000] or None))  # fmt: skip
        record_in(conn, actor=actor, action="access.deny", subject=req_id, at=now,
                  details={**req.context, "result": "denied", "note": note[:2000]})  # fmt: skip

    _write(engine, tx)
    return get(engine, req_id)


def end(engine: Engine, req_id: str, *, actor: str, now: datetime, granter: Granter, reason: str) -> AccessRequest:
    """End every active grant of a request (``reason``: revoked | expired).

    The assignment goes unless another active grant needs it; sessions issued before now are
    denied (:meth:`Granter.deny_older_sessions`), whether or not the assignment stays.
    """
    req = get(engine, req_id)
    if reason == "revoked" and req.status in (RequestStatus.PENDING, RequestStatus.APPROVED):
        return deny(engine, req_id, actor=actor, now=now, note="revoked before it was granted")
    if req.status is not RequestStatus.ACTIVE:
        raise AccessRefused(f"{req_id} is {req.status.value}; only an active grant can be {reason}")
    outcome: dict[str, Any] = {}
    errors: list[str] = []
    for g in req.grants:
        if g.state != "active":
            continue
        shared = _others(engine, g.principal, g.permission_set, g.account, exclude=req_id, now=now)
        try:
            if shared:
                outcome[g.account] = {"assignment": "kept", "needed_by": shared}
            else:
                outcome[g.account] = {"assignment": "deleted", **granter.unassign(g.account, g.permission_set, g.principal)}
            outcome[g.account]["sessions"] = granter.deny_older_sessions(g.account, g.permission_set, g.principal, now)
        except GrantError as exc:
            errors.append(f"{g.account}: {exc}")
            outcome[g.account] = {"assignment": "error", "error": str(exc)[:500]}
    status = RequestStatus.REVOKED if reason == "revoked" else RequestStatus.EXPIRED

    def tx(conn: Connection) -> None:
        for g in req.grants:
            o = outcome.get(g.account)
            if g.state != "active" or o is None or o["assignment"] == "error":
                continue
            conn.execute(update(grants).where(grants.c.id == g.id).values(
                state="ended", ended_at=now, end_reason=reason, assignment=o["assignment"]))  # fmt: skip
        if not errors:
            conn.execute(update(requests).where(requests.c.id == req_id).values(
                status=status.value, updated_at=now, ends_at=min(now, req.ends_at) if req.ends_at else now))  # fmt: skip
        record_in(conn, actor=actor, action=f"access.{'revoke' if reason == 'revoked' else 'expire'}", subject=req_id,
                  at=now, details={**req.context, "result": "failed" if errors else reason, "requester": req.requester,
                                   "permission_set": req.permission_set, "accounts": outcome})  # fmt: skip

    _write(engine, tx)
    if errors:
        raise GrantError(f"{req_id}: could not remove access in " + "; ".join(errors))
    return get(engine, req_id)


def expire(engine: Engine, *, now: datetime, granter: Granter, actor: str = "mamori") -> list[AccessRequest]:
    """End every active request past its end (the scheduler's job)."""
    with engine.connect() as conn:
        due = [r.id for r in conn.execute(select(requests.c.id).where(and_(
            requests.c.status == RequestStatus.ACTIVE.value, requests.c.ends_at <= now)).order_by(requests.c.ends_at))]  # fmt: skip
    out, errors = [], []
    for rid in due:
        try:
            out.append(end(engine, rid, actor=actor, now=now, granter=granter, reason="expired"))
        except GrantError as exc:
            errors.append(str(exc))
    if errors:
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise GrantError(f"{len(errors)} grant(s) not ended, tried again next time: " + "; ".join(errors[:5]) + more)
    return out


def break_glass(
    engine: Engine, cfg: AccessConfig, new: NewRequest, *, now: datetime, granter: Granter,
    groups: dict[str, list[str]] | None = None,
) -> AccessRequest:  # fmt: skip
    """Grant at once without approval; the after-the-fact review stays open until closed."""
    req = request_access(engine, cfg, new, now=now, groups=groups, kind=Kind.BREAK_GLASS)
    return _grant(engine, req, actor=new.requester, now=now, granter=granter)


def review_close(engine: Engine, req_id: str, *, actor: str, now: datetime, note: str) -> AccessRequest:
    req = get(engine, req_id)
    if req.review != "open":
        raise AccessRefused(f"{req_id} has no open review")
    if actor == req.requester:
        raise AccessRefused(f"{actor} used the break-glass access {req_id} and cannot close its review")
    if actor not in req.approvers:
        raise AccessRefused(f"{actor} is not an approver of {req_id}")
    if not note.strip():
        raise InputError("a review needs a note (--note): what was done and whether it was justified")

    def tx(conn: Connection) -> None:
        conn.execute(update(requests).where(requests.c.id == req_id).values(
            review="closed", review_note=note[:2000], updated_at=now))  # fmt: skip
        record_in(conn, actor=actor, action="access.review_close", subject=req_id, at=now,
                  details={**req.context, "result": "closed", "note": note[:2000]})  # fmt: skip

    _write(engine, tx)
    return get(engine, req_id)
