"""Apply a plan: for each change re-read, compare with the plan, change, verify, record.

Safety properties (each tested against moto):

* only the plan's changes are touched, and each only with exactly the planned calls: if
  a fresh read differs from what the plan saw (or proposes different calls), the change
  is ``stale`` (re-plan) and nothing is called;
* a resource already compliant is left alone (``noop``), so applying again changes
  nothing;
* the prior configuration is stored (status ``applying``) *before* the first call, so
  even a crash leaves a record of what was about to change and how to undo it;
* a failing call marks its change ``failed`` with the error and how many of its calls
  succeeded; the other changes go on (or stop, with ``stop_on_error``) and the ones not
  attempted stay ``planned``;
* every change is verified by re-reading (a few attempts: AWS is eventually consistent).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError
from sqlalchemy import Engine

from mamori.audit.log import normalise
from mamori.config.guardrails import GuardrailsConfig, Mode
from mamori.remediate.action import ACTIONS, Action, ActionContext, canonical, load_actions
from mamori.remediate.clients import Clients
from mamori.remediate.errors import RemediationError
from mamori.remediate.model import ApplyReport, Change, ChangeId, ChangeStatus, Plan, Proposal, plan_status
from mamori.remediate.planner import DIRECT, Item, build_plan, describe_error
from mamori.remediate.repo import RemediationStore

Sleep = Callable[[float], None]


def _as_planned(change: Change, fresh: Proposal) -> bool:
    """The fresh read is what the plan saw, and the calls are the planned ones."""
    same_calls = [c.to_dict() for c in change.calls] == [c.to_dict() for c in fresh.calls]
    return same_calls and _norm(change.before) == _norm(fresh.before)


def _norm(state: Mapping[str, Any] | None) -> Any:
    return None if state is None else canonical(normalise(state))


def verify_with_retries(action: Action, ctx: ActionContext, change: Change, params: Any, cfg: GuardrailsConfig, sleep: Sleep) -> tuple[bool, str]:
    err = ""
    for attempt in range(cfg.verify_attempts):
        try:
            if action.verify(ctx, change.target, params):
                return True, ""
            err = "re-reading the resource does not show the desired configuration"
        except (ClientError, BotoCoreError, RemediationError) as exc:
            err = f"could not re-read the resource: {describe_error(exc)}"
        if attempt + 1 < cfg.verify_attempts:
            sleep(cfg.verify_delay_seconds)
    return False, err


def apply_change(
    rstore: RemediationStore, clients: Clients, change: Change, cfg: GuardrailsConfig, *, actor: str, now: datetime, sleep: Sleep
) -> Change:
    """Apply one change and record the outcome (never raises for AWS errors)."""
    action = ACTIONS.get(change.action)

    def done(c: Change, **details: Any) -> Change:
        rstore.update_change(c, actor=actor, action="remediate.change", details=details)
        return c

    if change.mode != DIRECT and change.rule_id:
        mode = cfg.mode_for(change.rule_id, change.target.account)
        if mode is Mode.DETECT:
            return done(change.evolve(status=ChangeStatus.BLOCKED, reason=f"{change.rule_id} is in detect mode for account {change.target.account}"))
        active, _ = cfg.exemption_for(change.rule_id, change.target.account, change.target.resource_id, change.target.arn, now=now)
        if active is not None:
            return done(change.evolve(status=ChangeStatus.EXEMPT, reason=f"exempt until {active.expires}: {active.reason} (approved by {active.approver})"))
    try:
        params = action.Params.model_validate(dict(change.params))
        ctx = clients.context(change.target.account)
        fresh = action.plan(ctx, change.target, params)
    except (ClientError, BotoCoreError, RemediationError, ValidationError) as exc:
        return done(change.evolve(status=ChangeStatus.FAILED, error=f"nothing changed: could not re-read the resource: {describe_error(exc)}"))
    if fresh.refused:
        return done(change.evolve(status=ChangeStatus.BLOCKED, reason=fresh.refused))
    if fresh.noop:
        if change.status is ChangeStatus.UNVERIFIED or change.calls_done:
            return done(change.evolve(status=ChangeStatus.APPLIED, error="", reason="verified on a later apply"))
        return done(change.evolve(status=ChangeStatus.NOOP, reason="already compliant when applied: nothing changed", before=fresh.before))
    if not _as_planned(change, fresh):
        return done(change.evolve(
            status=ChangeStatus.STALE, before=fresh.before,
            reason="the live configuration changed since the plan; nothing changed: re-plan",
        ), fresh_calls=[c.describe() for c in fresh.calls])  # fmt: skip
    applying = change.evolve(status=ChangeStatus.APPLYING, prior=fresh.before, calls_done=0, error="")
    rstore.update_change(applying, actor=actor)
    progress = [0]

    def on_call(n: int) -> None:
        progress[0] = n

    try:
        action.apply(ctx, fresh, on_call)
    except (ClientError, BotoCoreError) as exc:
        n = progress[0]
        what = "nothing changed" if n == 0 else f"{n} of {len(fresh.calls)} calls succeeded before it"
        return done(applying.evolve(status=ChangeStatus.FAILED, calls_done=n, error=f"{fresh.calls[n].describe()} failed ({what}): {describe_error(exc)}"))
    applied_at = datetime.now(UTC)
    applied = applying.evolve(calls_done=len(fresh.calls), applied_at=applied_at)
    ok, err = verify_with_retries(action, ctx, applied, params, cfg, sleep)
    if ok:
        return done(applied.evolve(status=ChangeStatus.APPLIED))
    return done(applied.evolve(status=ChangeStatus.UNVERIFIED, error=err))


def apply_plan(
    rstore: RemediationStore,
    clients: Clients,
    plan: Plan,
    cfg: GuardrailsConfig,
    *,
    actor: str,
    only: Callable[[Change], bool] | None = None,
    stop_on_error: bool = False,
    sleep: Sleep = time.sleep,
    now: datetime | None = None,
) -> ApplyReport:
    """Apply the plan's actionable changes (those ``only`` accepts) in order; record everything."""
    load_actions()
    when = now or datetime.now(UTC)
    before_calls = set(clients.mutating())
    attempted: list[ChangeId] = []
    not_attempted: list[ChangeId] = []
    out: list[Change] = []
    stopped = False
    for c in plan.changes:
        if not c.status.actionable or (only is not None and not only(c)):
            out.append(c)
            continue
        if stopped:
            not_attempted.append(c.id)
            out.append(c)
            continue
        new = apply_change(rstore, clients, c, cfg, actor=actor, now=when, sleep=sleep)
        attempted.append(c.id)
        out.append(new)
        if stop_on_error and new.status in (ChangeStatus.FAILED, ChangeStatus.UNVERIFIED, ChangeStatus.STALE):
            stopped = True
    status = plan_status(out)
    mutating = tuple(sorted(set(clients.mutating()) - before_calls))
    counts: dict[str, int] = {}
    for c in out:
        if c.id in set(attempted):
            counts[c.status.value] = counts.get(c.status.value, 0) + 1
    rstore.set_plan_status(plan.id, status, actor=actor, action="remediate.apply", details={
        "attempted": len(attempted), "not_attempted": list(not_attempted), "outcome": counts, "mutating_calls": list(mutating),
    })  # fmt: skip
    final = Plan(plan.id, plan.created_at, plan.actor, plan.source, plan.selector, tuple(out), status)
    return ApplyReport(final, tuple(attempted), tuple(not_attempted), mutating)


def plan_and_apply(
    engine: Engine,
    clients: Clients,
    items: Iterable[Item],
    cfg: GuardrailsConfig,
    *,
    actor: str,
    source: str,
    selector: Mapping[str, Any],
    dry_run: bool = False,
    now: datetime | None = None,
    sleep: Sleep = time.sleep,
) -> tuple[Plan, ApplyReport | None]:
    """Changes asked for directly, not planned from findings (``mamori keys revoke``, event responders).

    The same path as ``remediate plan`` + ``remediate apply``: plan from fresh reads, store
    the plan (audited), then (unless ``dry_run``) apply, verify and record every change.
    """
    plan, honoured = build_plan(items, clients, cfg, actor=actor, source=source, selector=selector, now=now)
    rstore = RemediationStore(engine)
    rstore.save_plan(plan, extra=honoured)
    report = None if dry_run else apply_plan(rstore, clients, plan, cfg, actor=actor, sleep=sleep, now=now)
    return plan, report
