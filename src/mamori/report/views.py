"""Read models of the server's Scans, Events and Audit pages, restricted to the visible accounts in SQL.

Each function takes ``accounts`` (``None`` = every account, a frozenset = exactly these)
and returns frozen values with ``to_dict()``; lists are keyset pages
(``items`` + ``next_cursor``, the cursor being the last item's sort key).

What a reader scoped to some accounts sees:

* scans: those that scored one of their accounts; of each, only their accounts, their
  collection errors and result counts summed from the per-account rule counts (the
  resource total of the whole scan is withheld)
* events: the detections in their accounts; repeat offenders counted over those only
* audit log: the chain's verify status, and the entries they made themselves (entries
  are not tied to accounts: another actor's entry may name any account)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from mamori.audit import log as audit
from mamori.audit.tables import audit_log
from mamori.errors import InputError
from mamori.events.tables import event_detections
from mamori.findings import Store
from mamori.findings.tables import finding_history, findings, scans, scores
from mamori.model.finding import FindingStatus
from mamori.report.overview import Accounts
from mamori.report.overview import in_accounts as _in
from mamori.standards.score import ALL
from mamori.standards.tables import rule_counts

MAX_LIMIT = 500


def _limit(n: int) -> int:
    return max(1, min(int(n), MAX_LIMIT))


def _time_cursor(cursor: str) -> tuple[datetime, str]:
    at, _, key = cursor.partition("|")
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        raise InputError("invalid cursor: pass back the next_cursor of the page before") from None
    if not key or t.tzinfo is None:
        raise InputError("invalid cursor: pass back the next_cursor of the page before")
    return t, key


@dataclass(frozen=True)
class Page:
    items: tuple[dict[str, Any], ...]
    next_cursor: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"items": list(self.items), "next_cursor": self.next_cursor}


# -- scans ---------------------------------------------------------------------------------


def _visible_scan_ids(accounts: Accounts) -> Any:
    return select(scores.c.scan_id).where(_in(scores.c.account, accounts), scores.c.category == ALL).distinct()


def _scan_items(conn: Any, rows: list[Any], accounts: Accounts) -> list[dict[str, Any]]:
    ids = [r.id for r in rows]
    changes: dict[str, dict[str, int]] = defaultdict(lambda: {"new": 0, "reopened": 0, "resolved": 0})
    if ids:
        h, f = finding_history.c, findings.c
        q = (
            select(h.scan_id, h.from_status, h.to_status, func.count())
            .select_from(finding_history.join(findings, f.id == h.finding_id))
            .where(h.scan_id.in_(ids), _in(f.account, accounts))
            .group_by(h.scan_id, h.from_status, h.to_status)
        )
        for sid, frm, to, n in conn.execute(q):
            if to == FindingStatus.NEW.value:
                changes[sid]["reopened" if frm == FindingStatus.RESOLVED.value else "new"] += int(n)
            elif to == FindingStatus.RESOLVED.value:
                changes[sid]["resolved"] += int(n)
    results: dict[str, dict[str, int]] = {}
    if ids and accounts is not None:
        c = rule_counts.c
        q = (
            select(c.scan_id, func.sum(c.passed), func.sum(c.failed), func.sum(c.unknown))
            .where(c.scan_id.in_(ids), _in(c.account, accounts))
            .group_by(c.scan_id)
        )
        results = {sid: {"PASS": int(p or 0), "FAIL": int(fl or 0), "UNKNOWN": int(u or 0)} for sid, p, fl, u in conn.execute(q)}
    out = []
    for r in rows:
        accts = [a for a in r.accounts if accounts is None or a in accounts]
        errors = [e for e in r.errors if accounts is None or (isinstance(e, dict) and e.get("account") in accounts)]
        out.append(
            {
                "id": r.id, "started_at": r.started_at.isoformat(), "finished_at": r.finished_at.isoformat(),
                "duration_s": round(float(r.duration_s), 2), "source": r.source if accounts is None else "",
                "accounts": accts, "regions": list(r.regions), "rules": len(r.rules), "errors": errors,
                "results": dict(r.counts) if accounts is None else results.get(r.id, {"PASS": 0, "FAIL": 0, "UNKNOWN": 0}),
                "resources": r.resources if accounts is None else None, "changes": changes[r.id],
            }
        )  # fmt: skip
    return out


def scans_page(store: Store, *, accounts: Accounts = None, limit: int = 50, cursor: str | None = None) -> Page:
    """Scans newest first (cursor = ``finished_at|id`` of the last one shown)."""
    limit = _limit(limit)
    c = scans.c
    q = select(scans).order_by(c.finished_at.desc(), c.id.desc()).limit(limit + 1)
    if accounts is not None:
        q = q.where(c.id.in_(_visible_scan_ids(accounts)))
    if cursor:
        at, sid = _time_cursor(cursor)
        q = q.where(or_(c.finished_at < at, and_(c.finished_at == at, c.id < sid)))
    with store.engine.connect() as conn:
        rows = list(conn.execute(q))
        more = len(rows) > limit
        rows = rows[:limit]
        items = _scan_items(conn, rows, accounts)
    nxt = f"{rows[-1].finished_at.isoformat()}|{rows[-1].id}" if more and rows else None
    return Page(tuple(items), nxt)


def scan_detail(store: Store, scan_id: str, *, accounts: Accounts = None, limit: int = 200) -> dict[str, Any] | None:
    """One scan (exact id) as the scans list shows it, with the findings it opened or resolved; None if not visible."""
    c = scans.c
    q = select(scans).where(c.id == scan_id)
    if accounts is not None:
        q = q.where(c.id.in_(_visible_scan_ids(accounts)))
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
        if row is None:
            return None
        (item,) = _scan_items(conn, [row], accounts)
        h, f = finding_history.c, findings.c
        fq = (
            select(f.id, f.rule_id, f.title, f.severity, f.account, f.region, f.resource_id, h.from_status, h.to_status)
            .select_from(finding_history.join(findings, f.id == h.finding_id))
            .where(h.scan_id == scan_id, _in(f.account, accounts))
            .order_by(h.to_status, f.severity, f.rule_id, f.id)
            .limit(_limit(limit))
        )
        item["findings"] = [
            {"id": r.id, "rule": r.rule_id, "title": r.title, "severity": r.severity, "account": r.account, "region": r.region,
             "resource": r.resource_id, "from": r.from_status, "to": r.to_status}  # fmt: skip
            for r in conn.execute(fq)
        ]
    return item


# -- events --------------------------------------------------------------------------------


def events_page(
    store: Store, *, accounts: Accounts = None, limit: int = 50, cursor: str | None = None, detection: str | None = None
) -> Page:
    """Detections newest first (cursor = ``event_time|id``)."""
    limit = _limit(limit)
    c = event_detections.c
    q = (
        select(c.id, c.event_time, c.detection_id, c.principal_arn, c.principal_type, c.account, c.region, c.event_source,
               c.event_name, c.resource, c.severity, c.failed, c.offence, c.finding_id)  # fmt: skip
        .where(_in(c.account, accounts))
        .order_by(c.event_time.desc(), c.id.desc())
        .limit(limit + 1)
    )
    if detection:
        q = q.where(c.detection_id == detection)
    if cursor:
        at, key = _time_cursor(cursor)
        try:
            rid = int(key)
        except ValueError:
            raise InputError("invalid cursor: pass back the next_cursor of the page before") from None
        q = q.where(or_(c.event_time < at, and_(c.event_time == at, c.id < rid)))
    with store.engine.connect() as conn:
        rows = list(conn.execute(q).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    items = tuple({**{k: v for k, v in r.items()}, "event_time": r["event_time"].isoformat()} for r in rows)
    nxt = f"{rows[-1]['event_time'].isoformat()}|{rows[-1]['id']}" if more and rows else None
    return Page(items, nxt)


def repeat_offenders(store: Store, *, accounts: Accounts = None, limit: int = 20) -> list[dict[str, Any]]:
    """Principals with the most detections in the visible accounts (successful calls = offences, failed = attempts)."""
    c = event_detections.c
    q = (
        select(
            c.principal_arn, func.count().label("detections"),
            func.sum(case((c.failed.is_(True), 1), else_=0)).label("attempts"),
            func.count(func.distinct(c.detection_id)).label("kinds"),
            func.min(c.event_time).label("first"), func.max(c.event_time).label("last"),
        )  # fmt: skip
        .where(_in(c.account, accounts))
        .group_by(c.principal_arn)
        .order_by(func.count().desc(), c.principal_arn)
        .limit(_limit(limit))
    )
    with store.engine.connect() as conn:
        out = []
        for r in conn.execute(q):
            attempts = int(r.attempts or 0)
            out.append(
                {"principal": r.principal_arn, "detections": int(r.detections), "offences": int(r.detections) - attempts,
                 "attempts": attempts, "detection_kinds": int(r.kinds), "first": r.first.isoformat(), "last": r.last.isoformat()}  # fmt: skip
            )
    return out


def detections_per_day(store: Store, *, accounts: Accounts = None, since: datetime) -> list[tuple[datetime, int]]:
    """Detections per UTC day since ``since`` (the timeline chart), computed from the times (portable SQL)."""
    c = event_detections.c
    q = select(c.event_time).where(_in(c.account, accounts), c.event_time >= since)
    per: dict[datetime, int] = defaultdict(int)
    with store.engine.connect() as conn:
        for (t,) in conn.execute(q):
            per[t.replace(hour=0, minute=0, second=0, microsecond=0)] += 1
    return sorted(per.items())


# -- the audit log -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditView:
    ok: bool
    problems: tuple[str, ...]
    guarantee: str
    items: tuple[dict[str, Any], ...]
    next_cursor: str | None
    own_only: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "verify": {"ok": self.ok, "problems": list(self.problems), "guarantee": self.guarantee},
            "items": list(self.items), "next_cursor": self.next_cursor, "own_only": self.own_only,
        }  # fmt: skip


def audit_view(
    store: Store, *, actor: str, accounts: Accounts = None, limit: int = 50, cursor: str | None = None, action: str | None = None
) -> AuditView:
    """The audit log newest first (cursor = the last ``seq`` shown) and the chain's verify status.

    A reader scoped to some accounts (``accounts`` not None) sees only entries they made (``actor``).
    """
    limit = _limit(limit)
    c = audit_log.c
    q = select(audit_log).order_by(c.seq.desc()).limit(limit + 1)
    if accounts is not None:
        q = q.where(c.actor == actor)
    if action:
        q = q.where(c.action.startswith(action.rstrip("*"), autoescape=True)) if action.endswith(("*", ".")) else q.where(c.action == action)
    if cursor:
        try:
            q = q.where(c.seq < int(cursor))
        except ValueError:
            raise InputError("invalid cursor: pass back the next_cursor of the page before") from None
    with store.engine.connect() as conn:
        rows = list(conn.execute(q))
    more = len(rows) > limit
    rows = rows[:limit]
    report = audit.verify(store.engine)
    items = tuple(
        {"seq": int(r.seq), "at": r.at.isoformat(), "actor": r.actor, "action": r.action, "subject": r.subject,
         "details": dict(r.details or {}), "hash": r.hash}  # fmt: skip
        for r in rows
    )
    return AuditView(
        report.ok, tuple(p.message for p in report.problems), report.guarantee, items,
        str(rows[-1].seq) if more and rows else None, accounts is not None,
    )  # fmt: skip
