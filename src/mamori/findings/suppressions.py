"""Suppressions in the findings lifecycle: stored suppressions, finding metadata, expiry, notified marks.

Functions take an open connection (inside :func:`mamori.store.db.write_transaction` when
they write) so that the scan lifecycle, imports and the CLI share one implementation.

When suppressions take effect:

* a new or changed suppression suppresses the open findings it matches at once
  (:func:`apply_suppressions`);
* every scan, import and ``mamori findings`` command first runs :func:`expire`: a
  SUPPRESSED finding whose suppression has expired or was removed goes back to NEW
  (or to another active suppression that matches it);
* a scan or import that sees a suppressed finding pass resolves it (RESOLVED).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mamori.errors import InputError
from mamori.findings.rows import OPEN, hist
from mamori.findings.tables import finding_history, finding_meta, findings, suppressions
from mamori.model.finding import FindingStatus
from mamori.model.suppression import Selector, Suppression, SuppressionId, SuppressionIndex, Target
from mamori.store.rows import bulk_insert, chunks

SUPPRESSED = FindingStatus.SUPPRESSED.value
_REL = re.compile(r"^(\d+)([dhw])$")


def parse_expiry(value: str, now: datetime) -> datetime:
    """``90d`` / ``12h`` / ``2w``, a date (end of that day, UTC) or an ISO datetime; must be in the future.

    The one parser of a suppression's expiry (``mamori findings suppress --expires``, the
    server's suppress forms and API). Raises :class:`InputError` naming what it accepts.
    """
    v = value.strip()
    m = _REL.match(v)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        try:
            when = now + {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]
        except OverflowError:
            raise InputError(f"{value!r} is too far in the future", where="expires") from None
    else:
        try:
            when = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"{value!r} is not 90d, 12h, 2w, a date or an ISO datetime", where="expires") from None
        if len(v) == 10:
            when = when.replace(hour=23, minute=59, second=59)
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if when <= now:
        raise InputError(f"{value!r} is not in the future", where="expires")
    return when


def row_to_suppression(r: Any) -> Suppression:
    sel = Selector(
        rule_id=r.rule_id, account=r.account, region=r.region, resource_id=r.resource_id,
        finding_id=r.finding_id, tags=dict(r.tags or {}),
    )  # fmt: skip
    return Suppression(
        id=SuppressionId(r.id), selector=sel, reason=r.reason, approver=r.approver, expires_at=r.expires_at,
        created_at=r.created_at, created_by=r.created_by, origin=r.origin, removed_at=r.removed_at,
        removed_by=r.removed_by,
    )  # fmt: skip


def suppression_row(s: Suppression) -> dict[str, Any]:
    sel = s.selector
    return {
        "id": s.id, "rule_id": sel.rule_id, "account": sel.account, "region": sel.region,
        "resource_id": sel.resource_id, "finding_id": sel.finding_id, "tags": dict(sel.tags),
        "reason": s.reason, "approver": s.approver, "created_by": s.created_by, "created_at": s.created_at,
        "expires_at": s.expires_at, "origin": s.origin, "removed_at": s.removed_at, "removed_by": s.removed_by,
    }  # fmt: skip


def load_suppressions(conn: Connection, *, include_removed: bool = True) -> list[Suppression]:
    q = select(suppressions)
    if not include_removed:
        q = q.where(suppressions.c.removed_at.is_(None))
    return [row_to_suppression(r) for r in conn.execute(q.order_by(suppressions.c.created_at, suppressions.c.id))]


def active_index(conn: Connection, now: datetime) -> SuppressionIndex:
    q = select(suppressions).where(suppressions.c.removed_at.is_(None), suppressions.c.expires_at > now)
    return SuppressionIndex((row_to_suppression(r) for r in conn.execute(q)), now)


def load_meta(conn: Connection, ids: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for chunk in chunks(list(ids)):
        for r in conn.execute(select(finding_meta).where(finding_meta.c.finding_id.in_(chunk))):
            out[r.finding_id] = r
    return out


def save_meta(conn: Connection, rows: Mapping[str, Mapping[str, Any]], existing: Mapping[str, Any] | None = None) -> None:
    """Insert or update hub_finding_meta rows; each value gives only the columns to set."""
    if not rows:
        return
    known = existing if existing is not None else load_meta(conn, rows)
    new: list[dict[str, Any]] = []
    upd: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for fid, cols in rows.items():
        if fid in known:
            upd.setdefault(tuple(sorted(cols)), []).append({"b_fid": fid, **cols})
        else:
            new.append({"finding_id": fid, "tags": {}, "root_cause": None, "suppression_id": None, **cols})
    bulk_insert(conn, finding_meta, new)
    for keys, items in upd.items():
        stmt = update(finding_meta).where(finding_meta.c.finding_id == bindparam("b_fid"))
        conn.execute(stmt.values({k: bindparam(k) for k in keys}), items)


def set_status(conn: Connection, changes: list[dict[str, Any]]) -> None:
    """Batched status changes: dicts with b_id, status (and times_reopened when given)."""
    plain = [c for c in changes if "times_reopened" not in c]
    counted = [c for c in changes if "times_reopened" in c]
    if plain:
        conn.execute(update(findings).where(findings.c.id == bindparam("b_id")).values(status=bindparam("status")), plain)
    if counted:
        stmt = update(findings).where(findings.c.id == bindparam("b_id"))
        conn.execute(stmt.values(status=bindparam("status"), times_reopened=bindparam("times_reopened")), counted)


def _targets(conn: Connection, q: Any) -> list[tuple[Any, Target]]:
    q = q.add_columns(finding_meta.c.tags, finding_meta.c.suppression_id).select_from(
        findings.outerjoin(finding_meta, finding_meta.c.finding_id == findings.c.id)
    )
    out = []
    for r in conn.execute(q):
        t = Target(r.id, r.rule_id, r.account, r.region, r.resource_id, r.resource_arn, dict(r.tags or {}))
        out.append((r, t))
    return out


def apply_suppressions(conn: Connection, new: list[Suppression], now: datetime, actor: str) -> list[str]:
    """Suppress the open findings that the given (new or changed) suppressions match. Returns their ids."""
    index = SuppressionIndex(new, now)
    if not index:
        return []
    cols = (findings.c.id, findings.c.rule_id, findings.c.account, findings.c.region, findings.c.resource_id,
            findings.c.resource_arn, findings.c.status)  # fmt: skip
    changed: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    links: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for s in new:
        if not s.active(now):
            continue
        sel = s.selector
        q = select(*cols).where(findings.c.status.in_(OPEN))
        for col, value in (("id", sel.finding_id), ("rule_id", sel.rule_id), ("account", sel.account), ("region", sel.region)):
            if value is not None:
                q = q.where(findings.c[col] == value)
        for row, target in _targets(conn, q):
            if row.id in seen or not sel.matches(target):
                continue
            seen.add(row.id)
            changed.append({"b_id": row.id, "status": SUPPRESSED})
            history.append(hist(row.id, None, now, row.status, FindingStatus.SUPPRESSED, f"suppressed by {s.id}: {s.reason}", actor))
            links[row.id] = {"suppression_id": s.id}
    set_status(conn, changed)
    save_meta(conn, links)
    for chunk in chunks(history, 1000):
        conn.execute(insert(finding_history), list(chunk))
    return sorted(seen)


def expire(conn: Connection, now: datetime, actor: str) -> list[str]:
    """Reopen SUPPRESSED findings whose suppression expired or was removed. Returns the reopened ids."""
    index = active_index(conn, now)
    cols = (findings.c.id, findings.c.rule_id, findings.c.account, findings.c.region, findings.c.resource_id,
            findings.c.resource_arn, findings.c.status)  # fmt: skip
    rows = _targets(conn, select(*cols).where(findings.c.status == SUPPRESSED))
    if not rows:
        return []
    by_id = {s.id: s for s in load_suppressions(conn)}
    changed: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    links: dict[str, dict[str, Any]] = {}
    reopened: list[str] = []
    for row, target in rows:
        old = by_id.get(row.suppression_id) if row.suppression_id else None
        if old is not None and old.active(now):
            continue
        other = index.match(target)
        if other is not None:
            links[row.id] = {"suppression_id": other.id}
            continue
        if old is None:
            why = "its suppression no longer exists"
        elif old.removed_at is not None:
            why = f"suppression {old.id} removed by {old.removed_by or 'unknown'}"
        else:
            why = f"suppression {old.id} expired at {old.expires_at.isoformat(timespec='seconds')}"
        changed.append({"b_id": row.id, "status": FindingStatus.NEW.value})
        history.append(hist(row.id, None, now, FindingStatus.SUPPRESSED, FindingStatus.NEW, f"{why}: open again", actor))
        links[row.id] = {"suppression_id": None}
        reopened.append(row.id)
    set_status(conn, changed)
    save_meta(conn, links)
    for chunk in chunks(history, 1000):
        conn.execute(insert(finding_history), list(chunk))
    return reopened


def mark_notified(conn: Connection, ids: Iterable[str], now: datetime, actor: str, note: str) -> list[str]:
    """NEW -> NOTIFIED for the given findings (others are left alone); history records it."""
    todo: list[str] = []
    for chunk in chunks(list(ids)):
        q = select(findings.c.id).where(findings.c.id.in_(chunk), findings.c.status == FindingStatus.NEW.value)
        todo.extend(r.id for r in conn.execute(q))
    set_status(conn, [{"b_id": i, "status": FindingStatus.NOTIFIED.value} for i in todo])
    history = [hist(i, None, now, FindingStatus.NEW, FindingStatus.NOTIFIED, note, actor) for i in todo]
    for chunk in chunks(history, 1000):
        conn.execute(insert(finding_history), list(chunk))
    return todo
