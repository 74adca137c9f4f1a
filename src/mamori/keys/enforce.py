"""Enforce the access-key lifecycle: notify from day 80, disable at 90, delete after the grace period.

Dry run unless ``apply``: then disabling and deleting go through the remediation
actions (a stored plan, verified changes, rollback of a disable), each notified stage
is stored in ``key_notices`` (never twice), and everything is in the audit log. Safe to
run daily.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mamori.audit import record, record_in
from mamori.config.guardrails import GuardrailsConfig
from mamori.config.keys import KeysConfig
from mamori.hub.dispatch import notifiers_named
from mamori.keys import notices as notice_store
from mamori.keys.inventory import KeyRow
from mamori.keys.policy import Act, Decision, Stage, decide
from mamori.model.finding import Severity
from mamori.model.resource import GLOBAL
from mamori.model.resources.iam import ACCESS_KEY
from mamori.notify import Notification, Notifier
from mamori.notify.base import send_to_all
from mamori.remediate.action import ACTIONS, load_actions
from mamori.remediate.apply import plan_and_apply
from mamori.remediate.clients import Clients
from mamori.remediate.model import ChangeStatus, Target
from mamori.remediate.planner import Item
from mamori.store.db import write_transaction


@dataclass(frozen=True)
class KeyOutcome:
    decision: Decision
    result: str  # what happened (or would happen in a dry run)
    change_id: str = ""
    recipients: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = self.decision
        return d.row.to_dict() | {
            "stage": d.stage.value if d.stage else "", "action": d.act.value, "reason": d.reason,
            "result": self.result, "change_id": self.change_id, "recipients": list(self.recipients),
        }  # fmt: skip


@dataclass(frozen=True)
class EnforceReport:
    applied: bool
    outcomes: list[KeyOutcome] = field(default_factory=list)
    plan_id: str = ""

    @property
    def failed(self) -> list[KeyOutcome]:
        return [o for o in self.outcomes if o.result.startswith("failed")]


def build_notifiers(names: Sequence[str], channels: Mapping[str, Any]) -> list[Notifier]:
    """``log`` or channels named in ``notifications.channels`` (built by the findings hub's factory)."""
    return notifiers_named(names, channels, where="keys.notify")


def message(d: Decision, cfg: KeysConfig, now: datetime) -> Notification:
    r = d.row
    age = r.age_days or 0
    born = now - timedelta(days=age)
    disable_on = (born + timedelta(days=cfg.disable_days)).date()
    delete_on = (born + timedelta(days=cfg.delete_days)).date()
    subject = f"AWS access key {r.access_key_id} of {r.user} (account {r.account}) is {age} days old"
    how = (
        "Rotate it: create a new key (aws iam create-access-key --user-name "
        f"{r.user}), switch every consumer to it, then delete the old one. Better, use a role instead of a key."
    )
    if d.stage is Stage.NOTIFY:
        body = f"It will be disabled on {disable_on} (day {cfg.disable_days}) and deleted from {delete_on}. {how}"
        sev = Severity.LOW
    elif d.stage is Stage.DISABLE:
        body = f"mamori disabled it today (limit: {cfg.disable_days} days). It will be deleted from {delete_on}. {how} An exemption needs security's approval."
        sev = Severity.MEDIUM
    else:
        body = f"mamori deleted it today: it was inactive and {age} days old. If it is still needed, create a new key."
        sev = Severity.MEDIUM
    stage = d.stage.value if d.stage else ""
    return Notification(
        subject=subject, body=body, severity=sev, kind=f"keys.{stage}", dedup_key=f"keys:{r.account}:{r.access_key_id}:{stage}",
        about=(r.access_key_id,), recipients=(r.owner,) if r.owner else (),
        data={"account": r.account, "user": r.user, "access_key_id": r.access_key_id, "stage": stage, "age_days": age},
    )  # fmt: skip


def enforce(
    engine: Any,
    rows: Sequence[KeyRow],
    cfg: KeysConfig,
    *,
    apply: bool,
    actor: str,
    notifiers: Sequence[Notifier] = (),
    clients: Clients | None = None,
    guardrails: GuardrailsConfig | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> EnforceReport:
    when = now or datetime.now(UTC)
    known = notice_store.load(engine)
    decisions = [decide(r, cfg, known.get((r.account, r.access_key_id), {}), when) for r in rows]
    if not apply:
        return EnforceReport(False, [KeyOutcome(d, _would(d)) for d in decisions])
    if clients is None and any(d.act in (Act.DISABLE, Act.DELETE) for d in decisions):
        raise ValueError("clients are needed to disable or delete keys")
    load_actions()
    act_on = [d for d in decisions if d.act in (Act.DISABLE, Act.DELETE)]
    changes: dict[tuple[str, str], Any] = {}
    plan_id = ""
    if act_on and clients is not None:
        items = [
            Item(ACTIONS.get("iam_disable_access_key" if d.act is Act.DISABLE else "iam_delete_access_key"),
                 Target(d.row.account, GLOBAL, ACCESS_KEY, d.row.access_key_id), params={})
            for d in act_on
        ]  # fmt: skip
        policy = cfg.model_dump(mode="json", include={"warn_days", "disable_days", "delete_days", "min_inactive_days"})
        plan, report = plan_and_apply(engine, clients, items, guardrails or GuardrailsConfig(), actor=actor, source="keys",
                                      selector={"policy": policy}, now=when, sleep=sleep)  # fmt: skip
        changes = {(c.target.account, c.target.resource_id): c for c in (report.plan if report else plan).changes}
        plan_id = plan.id
    for d in decisions:
        if d.exemption is not None and d.row.age_days is not None and d.row.age_days >= cfg.warn_days:
            record(engine, actor=actor, action="keys.exemption", subject=d.row.access_key_id, at=when,
                   details={"account": d.row.account, "user": d.row.user, "age_days": d.row.age_days, **d.exemption.to_dict()})  # fmt: skip
    outcomes: list[KeyOutcome] = []
    for d in decisions:
        outcomes.append(_finish(engine, d, changes.get((d.row.account, d.row.access_key_id)), cfg, notifiers, actor, when))
    summary = {"plan_id": plan_id, "keys": len(rows), "results": _counts(outcomes)}
    record(engine, actor=actor, action="keys.enforce", subject="access-key lifecycle", details=summary)
    return EnforceReport(True, outcomes, plan_id)


def _would(d: Decision) -> str:
    if d.act is Act.NONE:
        return ""
    if d.act is Act.NOTIFY:
        return "would notify"
    return f"would {d.act.value}" + (" and notify" if d.notify else "")


def _counts(outcomes: Sequence[KeyOutcome]) -> dict[str, int]:
    out: dict[str, int] = {}
    for o in outcomes:
        if o.result:
            key = o.result.split(":")[0]
            out[key] = out.get(key, 0) + 1
    return out


def _finish(engine: Any, d: Decision, change: Any, cfg: KeysConfig, notifiers: Sequence[Notifier], actor: str, now: datetime) -> KeyOutcome:
    r = d.row
    if d.act is Act.NONE:
        return KeyOutcome(d, "")
    result, cid = "", ""
    if d.act in (Act.DISABLE, Act.DELETE):
        cid = change.id if change is not None else ""
        if change is None or change.status not in (ChangeStatus.APPLIED, ChangeStatus.NOOP):
            why = (change.error or change.reason or change.status.value) if change is not None else "not planned"
            return KeyOutcome(d, f"failed: {why}", cid)
        result = ("disabled" if d.act is Act.DISABLE else "deleted") if change.status is ChangeStatus.APPLIED else f"already {'inactive' if d.act is Act.DISABLE else 'gone'}"
    stage = d.stage or Stage.NOTIFY
    if not d.notify:
        if d.act is not Act.NOTIFY and change is not None and change.status is ChangeStatus.APPLIED:
            with write_transaction(engine) as conn:  # the first time mamori acted on this stage (e.g. a re-disable) stays recorded
                notice_store.add(conn, account=r.account, access_key_id=r.access_key_id, user=r.user, stage=stage, at=now, recipients=(), outcome="not notified (stage notified before)")
        return KeyOutcome(d, result, cid)
    n = message(d, cfg, now)
    ok, outcome = send_to_all(n, notifiers)
    with write_transaction(engine) as conn:
        if ok or d.act is not Act.NOTIFY:
            notice_store.add(conn, account=r.account, access_key_id=r.access_key_id, user=r.user, stage=stage, at=now, recipients=n.recipients, outcome=outcome)
        record_in(conn, actor=actor, action="keys.notify", subject=r.access_key_id, at=now, details={
            "account": r.account, "user": r.user, "stage": stage.value, "recipients": list(n.recipients),
            "delivered": ok, "outcome": outcome, "subject": n.subject,
        })  # fmt: skip
    if d.act is Act.NOTIFY:
        return KeyOutcome(d, "notified" if ok else f"failed: notification not delivered ({outcome})", cid, n.recipients)
    return KeyOutcome(d, result + (", owner notified" if ok else f", notification failed ({outcome})"), cid, n.recipients)
