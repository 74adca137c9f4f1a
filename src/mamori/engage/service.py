"""The engagement service: answers -> tasks in the store, task queries, attestations.

Shared by the CLI and the server. Nothing here prints. Every change is written in one
transaction with its audit entry (``engage.answer``, ``engage.attest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.audit.log import record_in
from mamori.engage.content import STANDARD_KEYS, Content, TaskTemplate
from mamori.engage.evaluate import applicable, check_answers, check_name, engagement_id, task_id
from mamori.engage.tables import app_accounts, engagements, task_history, tasks
from mamori.errors import InputError, StoreError
from mamori.store.db import write_transaction


class TaskStatus(StrEnum):
    OPEN = "open"
    VERIFIED = "verified"
    ATTESTED = "attested"
    NOT_APPLICABLE = "not_applicable"


OPEN, VERIFIED, ATTESTED, NA = (
    TaskStatus.OPEN,
    TaskStatus.VERIFIED,
    TaskStatus.ATTESTED,
    TaskStatus.NOT_APPLICABLE,
)
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}
STATUS_RANK = {OPEN: 0, ATTESTED: 1, VERIFIED: 2, NA: 3}


@dataclass(frozen=True)
class Task:
    id: str
    engagement: str
    app: str
    team: str
    template: str
    title: str
    why: str
    how: str
    controls: Mapping[str, Sequence[str]]
    owner: str
    priority: str
    due: datetime
    status: TaskStatus  # as stored
    note: str
    verify: Mapping[str, Any] | None
    created_at: datetime
    updated_at: datetime
    times_reopened: int = 0
    attested_by: str | None = None
    attest_evidence: str | None = None
    attest_expires_at: datetime | None = None
    jira_key: str | None = None

    def status_at(self, now: datetime) -> TaskStatus:
        """An attestation that has expired no longer closes the task."""
        if self.status is ATTESTED and (self.attest_expires_at is None or self.attest_expires_at <= now):
            return OPEN
        return self.status

    def overdue(self, now: datetime) -> bool:
        return self.status_at(now) is OPEN and self.due < now

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        return {
            "id": self.id,
            "title": self.title,
            "why": self.why,
            "how": self.how,
            "controls": {k: list(self.controls.get(k, ())) for k in STANDARD_KEYS},
            "owner": self.owner,
            "due": self.due.date().isoformat(),
            "status": self.status_at(now).value,
            "verify": dict(self.verify) if self.verify else None,
            "app": self.app,
            "team": self.team,
            "template": self.template,
            "priority": self.priority,
            "engagement": self.engagement,
            "note": self.note if self.status_at(now) is self.status else "attestation expired",
            "overdue": self.overdue(now),
            "attestation": (
                {"by": self.attested_by, "evidence": self.attest_evidence,
                 "expires_at": self.attest_expires_at.isoformat() if self.attest_expires_at else None}
                if self.attested_by else None
            ),
            "jira": self.jira_key,
        }  # fmt: skip


@dataclass(frozen=True)
class Engagement:
    id: str
    app: str
    team: str
    answers: Mapping[str, Any]
    answered_by: str
    created_at: datetime
    updated_at: datetime
    tasks: list[Task] = field(default_factory=list)
    ignored: tuple[str, ...] = ()  # answers skip logic dropped
    changes: Mapping[str, int] = field(default_factory=dict)  # new / reopened / not_applicable / unchanged

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        return {"engagement": self.id, "app": self.app, "team": self.team,
                "tasks": [t.to_dict(now) for t in self.tasks]}  # fmt: skip


@dataclass(frozen=True)
class AnswerRequest:
    app: str
    team: str
    answers: Mapping[str, Any]
    source: str = "answers"  # the file, for error messages


def _template_fields(t: TaskTemplate, team: str) -> dict[str, Any]:
    return {
        "template": t.id, "title": t.title, "why": t.why, "how": t.how,
        "controls": {k: list(v) for k, v in t.controls.items() if v},
        "owner": team if t.owner == "team" else t.owner, "priority": t.priority,
        "verify": ({"rules": list(t.verify.rules), "scope": {"tag": t.verify.scope.tag}} if t.verify else None),
    }  # fmt: skip


def history_row(
    tid: str,
    at: datetime,
    frm: TaskStatus | None,
    to: TaskStatus,
    actor: str,
    note: str,
    scan_id: str | None = None,
) -> dict[str, Any]:
    return {"task_id": tid, "at": at, "from_status": frm.value if frm else None, "to_status": to.value,
            "actor": actor, "note": note, "scan_id": scan_id}  # fmt: skip


def answer(
    engine: Engine, content: Content, req: AnswerRequest, *, actor: str, now: datetime | None = None
) -> Engagement:
    """Record (or replace) an application's answers and bring its tasks up to date.

    New templates become ``open`` tasks due ``due_days`` from now; tasks that apply again
    are reopened; tasks whose template no longer applies become ``not_applicable``
    (never deleted). Status, due date and attestation of a task that still applies stay.
    """
    now = now or datetime.now(UTC)
    app, team = check_name(req.app, "--app"), check_name(req.team, "--team")
    checked = check_answers(content, req.answers, req.source)
    eid = engagement_id(app)
    wanted = {task_id(app, t.id): t for t in applicable(content, checked.values)}
    changes = {"new": 0, "reopened": 0, "not_applicable": 0, "unchanged": 0}
    try:
        with write_transaction(engine) as conn:
            row = conn.execute(select(engagements).where(engagements.c.id == eid)).first()
            if row is None:
                conn.execute(insert(engagements), {"id": eid, "app": app, "team": team, "answers": checked.values,
                                                   "answered_by": actor, "created_at": now, "updated_at": now})  # fmt: skip
            else:
                conn.execute(update(engagements).where(engagements.c.id == eid).values(
                    team=team, answers=checked.values, answered_by=actor, updated_at=now))  # fmt: skip
            existing = {r.id: r for r in conn.execute(select(tasks).where(tasks.c.engagement_id == eid))}
            history: list[dict[str, Any]] = []
            inserts: list[dict[str, Any]] = []
            for tid, t in wanted.items():
                fields = _template_fields(t, team)
                old = existing.get(tid)
                if old is None:
                    inserts.append({
                        "id": tid, "engagement_id": eid, "app": app, "team": team, **fields,
                        "due": now + timedelta(days=t.due_days), "status": OPEN.value, "status_note": "",
                        "created_at": now, "updated_at": now, "times_reopened": 0,
                    })  # fmt: skip
                    history.append(history_row(tid, now, None, OPEN, actor, "applies to the answers"))
                    changes["new"] += 1
                    continue
                values: dict[str, Any] = {
                    k: v for k, v in {"team": team, **fields}.items() if getattr(old, k) != v
                }
                if old.status == NA.value:
                    values.update(status=OPEN.value, status_note="applies again", due=now + timedelta(days=t.due_days),
                                  times_reopened=old.times_reopened + 1)  # fmt: skip
                    history.append(
                        history_row(tid, now, NA, OPEN, actor, "applies again after the answers changed")
                    )
                    changes["reopened"] += 1
                else:
                    changes["unchanged"] += 1
                if values:  # only what differs: re-answering the same design writes nothing per task
                    conn.execute(update(tasks).where(tasks.c.id == tid).values(**values, updated_at=now))
            if inserts:
                conn.execute(insert(tasks), inserts)
            for tid, old in existing.items():
                if tid not in wanted and old.status != NA.value:
                    conn.execute(update(tasks).where(tasks.c.id == tid).values(
                        status=NA.value, status_note="no longer applies to the answers", updated_at=now, team=team))  # fmt: skip
                    history.append(
                        history_row(
                            tid, now, TaskStatus(old.status), NA, actor, "no longer applies to the answers"
                        )
                    )
                    changes["not_applicable"] += 1
            if history:
                conn.execute(insert(task_history), history)
            record_in(conn, actor=actor, action="engage.answer", subject=eid,
                      details={"app": app, "team": team, **changes}, at=now)  # fmt: skip
            out = _engagement(conn, eid)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not record the engagement: {exc}") from exc
    assert out is not None
    return Engagement(out.id, out.app, out.team, out.answers, out.answered_by, out.created_at, out.updated_at,
                      out.tasks, checked.ignored, changes)  # fmt: skip


def _task(r: Any) -> Task:
    return Task(
        id=r.id, engagement=r.engagement_id, app=r.app, team=r.team, template=r.template, title=r.title, why=r.why,
        how=r.how, controls=r.controls or {}, owner=r.owner, priority=r.priority, due=r.due, status=TaskStatus(r.status),
        note=r.status_note, verify=r.verify, created_at=r.created_at, updated_at=r.updated_at,
        times_reopened=r.times_reopened, attested_by=r.attested_by, attest_evidence=r.attest_evidence,
        attest_expires_at=r.attest_expires_at, jira_key=r.jira_key,
    )  # fmt: skip


def _order(t: Task) -> tuple[Any, ...]:
    return (t.app, STATUS_RANK[t.status], PRIORITY_RANK.get(t.priority, 9), t.due, t.template)


def _engagement(conn: Connection, eid: str) -> Engagement | None:
    r = conn.execute(select(engagements).where(engagements.c.id == eid)).first()
    if r is None:
        return None
    ts = sorted(
        (_task(x) for x in conn.execute(select(tasks).where(tasks.c.engagement_id == eid))), key=_order
    )
    return Engagement(r.id, r.app, r.team, r.answers, r.answered_by, r.created_at, r.updated_at, ts)


@dataclass(frozen=True)
class TaskFilter:
    apps: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    statuses: tuple[TaskStatus, ...] = ()
    # None: every app; a set: only apps whose tagged resources the scans saw in one of these
    # accounts (engage_app_accounts) — an app not seen yet is shown to unscoped users only
    accounts: frozenset[str] | None = None


def list_tasks(engine: Engine, flt: TaskFilter | None = None, *, now: datetime | None = None) -> list[Task]:
    """Tasks by app, team and (effective) status; ordered by app, status, priority, due date."""
    flt = flt or TaskFilter()
    now = now or datetime.now(UTC)
    q = select(tasks)
    if flt.apps:
        q = q.where(tasks.c.app.in_(flt.apps))
    if flt.teams:
        q = q.where(tasks.c.team.in_(flt.teams))
    if flt.accounts is not None:
        seen = select(app_accounts.c.engagement_id).where(app_accounts.c.account.in_(sorted(flt.accounts)))
        q = q.where(tasks.c.engagement_id.in_(seen))
    try:
        with engine.connect() as conn:
            out = [_task(r) for r in conn.execute(q)]
    except SQLAlchemyError as exc:
        raise StoreError(f"could not read the tasks: {exc}") from exc
    if flt.statuses:
        out = [t for t in out if t.status_at(now) in flt.statuses]
    return sorted(out, key=_order)


def get_task(engine: Engine, id_or_prefix: str) -> tuple[Task, list[dict[str, Any]]]:
    """A task by id (or a unique prefix of it) and its history, oldest first."""
    key = id_or_prefix.strip()
    if len(key) < 4:
        raise InputError(f"give at least 4 characters of the task id, got {key!r}")
    with engine.connect() as conn:
        rows = list(
            conn.execute(
                select(tasks)
                .where(tasks.c.id.like(key.replace("%", "").replace("_", "\\_") + "%", escape="\\"))
                .limit(10)
            )
        )
        if not rows:
            raise InputError(f"no task {key!r} (`mamori engage tasks` lists them)")
        if len(rows) > 1 and not any(r.id == key for r in rows):
            raise InputError(f"task id {key!r} is ambiguous: {', '.join(r.id for r in rows)}")
        r = next((x for x in rows if x.id == key), rows[0])
        hist = [dict(h._mapping) for h in conn.execute(
            select(task_history).where(task_history.c.task_id == r.id).order_by(task_history.c.id))]  # fmt: skip
    return _task(r), hist


def app_accounts_of(engine: Engine) -> dict[str, list[str]]:
    """App -> the accounts in which the scans saw resources tagged with it."""
    q = select(engagements.c.app, app_accounts.c.account).join(
        app_accounts, app_accounts.c.engagement_id == engagements.c.id
    )
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for r in conn.execute(q.order_by(engagements.c.app, app_accounts.c.account)):
            out.setdefault(r.app, []).append(r.account)
    return out


def get_engagement(engine: Engine, app: str) -> Engagement | None:
    with engine.connect() as conn:
        return _engagement(conn, engagement_id(app))


def attest_task(
    engine: Engine,
    id_or_prefix: str,
    *,
    by: str,
    evidence: str,
    expires_at: datetime,
    actor: str,
    now: datetime | None = None,
) -> Task:
    """Close a task that no rule can check with a person's attestation, until ``expires_at``."""
    now = now or datetime.now(UTC)
    task, _ = get_task(engine, id_or_prefix)
    if not by.strip():
        raise InputError("an attestation needs the person who attests (--by)")
    if not evidence.strip():
        raise InputError("an attestation needs evidence: a URL or a short text (--evidence)")
    if expires_at <= now:
        raise InputError(f"the expiry {expires_at.isoformat()} is not in the future")
    if task.verify:
        raise InputError(f"task {task.id} is checked by rules ({', '.join(task.verify.get('rules', []))}): "
                         "it closes when they pass after a scan, not by attestation")  # fmt: skip
    if task.status is NA:
        raise InputError(f"task {task.id} does not apply to {task.app}'s answers (not_applicable)")
    try:
        with write_transaction(engine) as conn:
            conn.execute(update(tasks).where(tasks.c.id == task.id).values(
                status=ATTESTED.value, status_note=f"attested by {by.strip()}", attested_by=by.strip(),
                attest_evidence=evidence.strip(), attest_expires_at=expires_at, updated_at=now))  # fmt: skip
            conn.execute(insert(task_history), [history_row(task.id, now, task.status_at(now), ATTESTED, actor,
                                                      f"attested by {by.strip()} until {expires_at.date().isoformat()}: {evidence.strip()}")])  # fmt: skip
            record_in(conn, actor=actor, action="engage.attest", subject=task.id,
                      details={"app": task.app, "template": task.template, "by": by.strip(), "evidence": evidence.strip(),
                               "expires_at": expires_at.isoformat()}, at=now)  # fmt: skip
    except SQLAlchemyError as exc:
        raise StoreError(f"could not record the attestation: {exc}") from exc
    return get_task(engine, task.id)[0]


def set_jira_keys(
    engine: Engine, keys: Mapping[str, str], *, actor: str, now: datetime | None = None
) -> None:
    """Remember which Jira issue each task is synced to (audited as ``engage.sync``)."""
    if not keys:
        return
    now = now or datetime.now(UTC)
    with write_transaction(engine) as conn:
        for tid, key in keys.items():
            conn.execute(update(tasks).where(tasks.c.id == tid).values(jira_key=key))
        record_in(
            conn, actor=actor, action="engage.sync", subject="jira", details={"issues": dict(keys)}, at=now
        )


def summary(items: Iterable[Task], now: datetime) -> dict[str, int]:
    out = {s.value: 0 for s in TaskStatus}
    out["overdue"] = 0
    for t in items:
        out[t.status_at(now).value] += 1
        out["overdue"] += t.overdue(now)
    return out


@dataclass(frozen=True)
class AppTasks:
    app: str
    team: str
    tasks: list[Task]
    counts: dict[str, int]
    next_due: datetime | None  # the earliest due date of an open task


def by_team(items: Iterable[Task], now: datetime) -> dict[str, list[AppTasks]]:
    """Tasks grouped per team, then per app (apps with overdue tasks first), for the server's page."""
    apps: dict[tuple[str, str], list[Task]] = {}
    for t in items:
        apps.setdefault((t.team, t.app), []).append(t)
    out: dict[str, list[AppTasks]] = {}
    for (team, app), ts in sorted(apps.items()):
        open_due = [t.due for t in ts if t.status_at(now) is OPEN]
        out.setdefault(team, []).append(
            AppTasks(app, team, ts, summary(ts, now), min(open_due) if open_due else None)
        )
    for groups in out.values():
        groups.sort(
            key=lambda g: (-g.counts["overdue"], g.next_due or datetime.max.replace(tzinfo=UTC), g.app)
        )
    return out
