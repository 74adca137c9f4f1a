"""Plans and changes in the store; every write is audited in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.audit import record_in
from mamori.errors import StoreError
from mamori.remediate.errors import PlanNotFoundError
from mamori.remediate.model import ApiCall, Change, ChangeId, ChangeStatus, Plan, PlanId, PlanStatus, Target
from mamori.remediate.tables import remediation_changes as rc
from mamori.remediate.tables import remediation_plans as rp
from mamori.store.db import write_transaction


def new_plan_id() -> PlanId:
    return PlanId("p-" + uuid.uuid4().hex[:12])


def new_change_id() -> ChangeId:
    return ChangeId("c-" + uuid.uuid4().hex[:12])


def _change_row(c: Change, now: datetime) -> dict[str, Any]:
    return {
        "id": c.id, "plan_id": c.plan_id, "seq": c.seq, "action": c.action, "rule_id": c.rule_id,
        "finding_id": c.finding_id, "account": c.target.account, "region": c.target.region,
        "resource_type": c.target.resource_type, "resource_id": c.target.resource_id, "resource_arn": c.target.arn,
        "mode": c.mode, "params": dict(c.params), "status": c.status.value, "summary": c.summary, "reason": c.reason,
        "calls": [x.to_dict() for x in c.calls], "before": c.before, "after": c.after, "prior": c.prior,
        "calls_done": c.calls_done, "error": c.error, "applied_at": c.applied_at, "rolled_back_at": c.rolled_back_at,
        "updated_at": now,
    }  # fmt: skip


def _change(r: Any) -> Change:
    return Change(
        id=ChangeId(r.id), plan_id=PlanId(r.plan_id), seq=r.seq, action=r.action, rule_id=r.rule_id,
        finding_id=r.finding_id, target=Target(r.account, r.region, r.resource_type, r.resource_id, r.resource_arn),
        mode=r.mode, params=r.params or {}, status=ChangeStatus(r.status), summary=r.summary, reason=r.reason,
        calls=tuple(ApiCall.from_dict(x) for x in r.calls or []), before=r.before, after=r.after, prior=r.prior,
        calls_done=r.calls_done, error=r.error, applied_at=r.applied_at, rolled_back_at=r.rolled_back_at,
    )  # fmt: skip


class RemediationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save_plan(self, plan: Plan, *, audit: Mapping[str, Any] | None = None, extra: Sequence[tuple[str, str, Mapping[str, Any]]] = ()) -> None:
        """Insert a plan and its changes, and audit ``remediate.plan`` (+ ``extra`` (action, subject, details) entries)."""
        now = datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(insert(rp), {
                    "id": plan.id, "created_at": plan.created_at, "actor": plan.actor, "source": plan.source,
                    "selector": dict(plan.selector), "status": plan.status.value, "updated_at": now,
                })  # fmt: skip
                if plan.changes:
                    conn.execute(insert(rc), [_change_row(c, now) for c in plan.changes])
                details = {"source": plan.source, "selector": dict(plan.selector), "counts": plan.counts(), **dict(audit or {})}
                record_in(conn, actor=plan.actor, action="remediate.plan", subject=plan.id, details=details)
                for action, subject, det in extra:
                    record_in(conn, actor=plan.actor, action=action, subject=subject, details=det)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store the plan: {exc}") from exc

    def update_change(self, change: Change, *, actor: str, action: str | None = None, details: Mapping[str, Any] | None = None) -> None:
        """Write a change's new state; audit it as ``action`` when given."""
        now = datetime.now(UTC)
        row = _change_row(change, now)
        row.pop("id")
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(update(rc).where(rc.c.id == change.id).values(**row))
                if action:
                    record_in(conn, actor=actor, action=action, subject=change.id, details={
                        "plan_id": change.plan_id, "action": change.action, "rule_id": change.rule_id,
                        "resource": change.target.label, "status": change.status.value, "calls_done": change.calls_done,
                        "calls": [c.describe() for c in change.calls], "error": change.error, **dict(details or {}),
                    })  # fmt: skip
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record change {change.id}: {exc}") from exc

    def set_plan_status(self, plan_id: PlanId, status: PlanStatus, *, actor: str, action: str, details: Mapping[str, Any]) -> None:
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(update(rp).where(rp.c.id == plan_id).values(status=status.value, updated_at=datetime.now(UTC)))
                record_in(conn, actor=actor, action=action, subject=plan_id, details={"status": status.value, **dict(details)})
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record plan {plan_id}: {exc}") from exc

    # -- reading -----------------------------------------------------------------

    def _one(self, table: Any, id_or_prefix: str, what: str) -> Any:
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(table).where(table.c.id.startswith(id_or_prefix, autoescape=True)).limit(2)))
        if not rows:
            raise PlanNotFoundError(f"no {what} {id_or_prefix!r} (`mamori remediate list` shows plans)")
        if len(rows) > 1:
            raise PlanNotFoundError(f"{what} id prefix {id_or_prefix!r} is ambiguous; give more characters")
        return rows[0]

    def plan(self, id_or_prefix: str) -> Plan:
        r = self._one(rp, id_or_prefix, "plan")
        with self.engine.connect() as conn:
            changes = tuple(_change(c) for c in conn.execute(select(rc).where(rc.c.plan_id == r.id).order_by(rc.c.seq)))
        return Plan(PlanId(r.id), r.created_at, r.actor, r.source, r.selector or {}, changes, PlanStatus(r.status))

    def change(self, id_or_prefix: str) -> Change:
        return _change(self._one(rc, id_or_prefix, "change"))

    def plans(self, limit: int = 20) -> list[Plan]:
        with self.engine.connect() as conn:
            ids = [r.id for r in conn.execute(select(rp.c.id).order_by(rp.c.created_at.desc()).limit(limit))]
        return [self.plan(i) for i in ids]

    def changes_for(
        self, *, action: str | None = None, resource_id: str | None = None, statuses: tuple[ChangeStatus, ...] = (),
        finding_id: str | None = None,
    ) -> list[Change]:  # fmt: skip
        q = select(rc)
        if finding_id:
            q = q.where(rc.c.finding_id == finding_id)
        if action:
            q = q.where(rc.c.action == action)
        if resource_id:
            q = q.where(rc.c.resource_id == resource_id)
        if statuses:
            q = q.where(rc.c.status.in_([s.value for s in statuses]))
        with self.engine.connect() as conn:
            return [_change(r) for r in conn.execute(q.order_by(rc.c.updated_at))]
