"""Runbooks in the store: add, approve (pinned hash), run under an active grant (audited per step)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.access import service
from mamori.access.model import AccessRefused, RequestStatus
from mamori.access.runbook import (
    RunbookRecord,
    check_pinned,
    parse,
    read_file,
    run_id,
    sha256,
    step_record,
    summary_of,
    target_of,
)
from mamori.access.tables import runbook_runs, runbooks
from mamori.audit.log import record, record_in
from mamori.errors import InputError, MamoriError, StoreError
from mamori.remediate.action import load_actions
from mamori.store.db import write_transaction

ContextFor = Callable[[str], Any]  # account -> mamori.remediate.action.ActionContext


def _write(engine: Engine, fn: Callable[[Connection], Any]) -> Any:
    try:
        with write_transaction(engine) as conn:
            return fn(conn)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not write the runbook store: {exc}") from exc


def _rec(r: Any) -> RunbookRecord:
    return RunbookRecord(r.name, r.description, r.author, r.path, r.sha256, r.approved_by, r.approved_sha256,
                         r.approved_at, r.added_at, r.updated_at)  # fmt: skip


def get(engine: Engine, name: str) -> RunbookRecord:
    with engine.connect() as conn:
        r = conn.execute(select(runbooks).where(runbooks.c.name == name)).first()
    if r is None:
        raise InputError(f"no runbook {name[:100]!r} (mamori runbook list)")
    return _rec(r)


def text_of(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(runbooks.c.text).where(runbooks.c.name == name)).scalar_one())


def list_runbooks(engine: Engine) -> list[RunbookRecord]:
    with engine.connect() as conn:
        return [_rec(r) for r in conn.execute(select(runbooks).order_by(runbooks.c.name))]


def add(engine: Engine, path: Path, *, actor: str, now: datetime) -> RunbookRecord:
    """Store (or replace) a runbook; a changed text needs a new approval."""
    data = read_file(path)
    rb = parse(data, str(path))
    digest = sha256(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8", source=str(path)) from None

    def tx(conn: Connection) -> None:
        old = conn.execute(select(runbooks).where(runbooks.c.name == rb.name)).first()
        values = {"description": rb.description, "author": actor, "path": str(path.resolve()), "text": text,
                  "sha256": digest, "updated_at": now}  # fmt: skip
        if old is None:
            conn.execute(insert(runbooks), {"name": rb.name, **values, "approved_by": None, "approved_sha256": None,
                                            "approved_at": None, "added_at": now})  # fmt: skip
        elif old.sha256 != digest or old.author != actor:
            conn.execute(update(runbooks).where(runbooks.c.name == rb.name).values(**values))
        record_in(conn, actor=actor, action="runbook.add", subject=rb.name, at=now, details={
            "sha256": digest, "steps": [s.action for s in rb.steps], "path": str(path),
            "result": "added" if old is None else ("changed" if old.sha256 != digest else "unchanged")})  # fmt: skip

    _write(engine, tx)
    return get(engine, rb.name)


def approve(engine: Engine, name: str, *, actor: str, now: datetime, path: Path | None = None) -> RunbookRecord:
    """Pin the stored text's hash. The reviewer is not the author; the file must still be what was added."""
    rec = get(engine, name)
    if actor == rec.author:
        record(engine, actor=actor, action="runbook.approve", subject=name, at=now,
               details={"sha256": rec.sha256, "result": "refused", "why": "the author cannot approve"})  # fmt: skip
        raise AccessRefused(f"{actor} wrote runbook {name} and cannot approve it")
    src = path or Path(rec.path)
    on_disk = sha256(read_file(src))
    if on_disk != rec.sha256:
        raise AccessRefused(f"{src} changed since `mamori runbook add` (sha256 {on_disk[:12]}, added {rec.sha256[:12]}); add it again")

    def tx(conn: Connection) -> None:
        conn.execute(update(runbooks).where(runbooks.c.name == name).values(
            approved_by=actor, approved_sha256=rec.sha256, approved_at=now, updated_at=now))  # fmt: skip
        record_in(conn, actor=actor, action="runbook.approve", subject=name, at=now,
                  details={"sha256": rec.sha256, "author": rec.author, "result": "approved"})  # fmt: skip

    _write(engine, tx)
    return get(engine, name)


def runs_for(engine: Engine, request_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(runbook_runs).where(runbook_runs.c.request_id == request_id).order_by(runbook_runs.c.started_at))
        return [{"id": r.id, "runbook": r.runbook, "actor": r.actor, "sha256": r.sha256, "status": r.status,
                 "started_at": r.started_at.isoformat(), "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                 "steps": list(r.steps)} for r in rows]  # fmt: skip


def run(
    engine: Engine, name: str, request_id: str, *, actor: str, now: datetime, context_for: ContextFor,
    plan_only: bool = False, path: Path | None = None, clock: Callable[[], datetime] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Plan every step, then apply them in order (each verified); everything recorded."""
    rec = get(engine, name)
    src = path or Path(rec.path)
    data = read_file(src)
    req = service.get(engine, request_id)
    try:
        digest = check_pinned(rec, data)
        if actor != req.requester:
            raise AccessRefused(f"{request_id} was granted to {req.requester}, not {actor}")
        if req.status is not RequestStatus.ACTIVE:
            raise AccessRefused(f"{request_id} is {req.status.value}: runbooks run only under an active grant")
        rb = parse(data, str(src))
        covered = {g.account for g in req.grants if g.active_at(now)}
        targets = [target_of(s, list(req.accounts), f"steps.{n}") for n, s in enumerate(rb.steps)]
        outside = sorted({t.account for t in targets} - covered)
        if outside:
            raise AccessRefused(f"{request_id} grants no active access in {', '.join(outside)} (runbook {name} acts there)")
    except AccessRefused as exc:
        record(engine, actor=actor, action="runbook.run", subject=name, at=now,
               details={"request": request_id, **req.context, "sha256": sha256(data), "result": "refused", "why": str(exc)})  # fmt: skip
        raise
    rid = run_id(name, request_id, now)
    steps = [step_record(n, s, t) for n, (s, t) in enumerate(zip(rb.steps, targets, strict=True), 1)]
    _write(engine, lambda conn: (
        conn.execute(insert(runbook_runs), {"id": rid, "runbook": name, "request_id": request_id, "actor": actor,
                                            "sha256": digest, "started_at": now, "finished_at": None,
                                            "status": "running", "steps": steps}),
        record_in(conn, actor=actor, action="runbook.run", subject=name, at=now, details={
            "run": rid, "request": request_id, **req.context, "sha256": digest, "result": "started",
            "plan_only": plan_only, "steps": len(steps)}),
    ))  # fmt: skip
    actions = load_actions()
    tick = clock or (lambda: now)
    status = "planned" if plan_only else "succeeded"
    proposals = []
    for s, step, target in zip(steps, rb.steps, targets, strict=True):  # plan every step first: reads only
        action = actions.get(step.action)
        params = action.params(overrides=step.params)
        try:
            proposal = action.plan(context_for(target.account), target, params)
        except (MamoriError, ClientError, BotoCoreError) as exc:  # recorded as the step's result; the run stops
            s.update(plan={"error": str(exc)[:500]}, result="plan failed")
            status = "failed"
            break
        s["plan"] = summary_of(proposal)
        if proposal.refused:
            s["result"] = "refused by the action"
            status = "failed"
            break
        proposals.append((s, action, target, params, proposal))
    if status != "failed" and not plan_only:
        for s, action, target, params, proposal in proposals:
            ctx = context_for(target.account)
            try:
                if proposal.calls:
                    action.apply(ctx, proposal)
                ok = action.verify(ctx, target, params)
            except (MamoriError, ClientError, BotoCoreError) as exc:  # a failed call is the step's result; the run stops
                s.update(result="apply failed", error=str(exc)[:500])
                status = "failed"
                break
            s.update(result="verified" if ok else "unverified", applied=len(proposal.calls))
            if not ok:
                status = "failed"
                break
    for s in steps:
        s.setdefault("result", "planned" if plan_only else "not run")
    done = tick()

    def finish(conn: Connection) -> None:
        conn.execute(update(runbook_runs).where(runbook_runs.c.id == rid).values(status=status, finished_at=done, steps=steps))
        for s in steps:
            record_in(conn, actor=actor, action="runbook.step", subject=name, at=done, details={
                "run": rid, "request": request_id, **req.context, **s})  # fmt: skip
        record_in(conn, actor=actor, action="runbook.run", subject=name, at=done, details={
            "run": rid, "request": request_id, **req.context, "sha256": digest, "result": status})  # fmt: skip

    _write(engine, finish)
    return {"run": rid, "runbook": name, "request": request_id, "sha256": digest, "status": status, "steps": steps}
