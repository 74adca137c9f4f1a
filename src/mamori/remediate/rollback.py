"""Roll back an applied change: put back the prior configuration saved before the change.

Rolling back a change that was already rolled back is a no-op: the change is returned as it
is, nothing is called or recorded. Refused when the action cannot be undone (a deleted key, a restarted trail), when the
change never touched anything, or when the resource has changed since mamori changed
it (someone else's later change would be overwritten; ``force`` overrides that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from mamori.config.guardrails import GuardrailsConfig
from mamori.remediate.action import ACTIONS, load_actions
from mamori.remediate.clients import Clients
from mamori.remediate.errors import NotReversibleError, RemediationError
from mamori.remediate.model import Change, ChangeStatus, Plan, plan_status
from mamori.remediate.planner import describe_error
from mamori.remediate.repo import RemediationStore

_TOUCHED = (ChangeStatus.APPLIED, ChangeStatus.UNVERIFIED, ChangeStatus.APPLYING, ChangeStatus.FAILED)


def rollback_change(
    rstore: RemediationStore,
    clients: Clients,
    change: Change,
    cfg: GuardrailsConfig,
    *,
    actor: str,
    force: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Change:
    load_actions()
    action = ACTIONS.get(change.action)
    if change.status is ChangeStatus.ROLLED_BACK:
        return change  # already done: a second rollback changes nothing
    if change.status not in _TOUCHED or (change.status is ChangeStatus.FAILED and not change.calls_done) or change.prior is None:
        raise RemediationError(f"change {change.id} changed nothing (status {change.status.value}): nothing to roll back")
    if not action.reversible:
        raise NotReversibleError(f"{action.name}: {action.irreversible_reason or 'cannot be undone'}")
    params = action.Params.model_validate(dict(change.params))
    ctx = clients.context(change.target.account)
    try:
        current = action.read(ctx, change.target, params)
    except (ClientError, BotoCoreError) as exc:
        raise RemediationError(f"cannot read {change.target.label} to roll back: {describe_error(exc)}") from exc
    if not force and change.status is ChangeStatus.APPLIED and not action.propose(change.target, current, params).noop:
        raise RemediationError(
            f"{change.target.label} changed since mamori applied {change.id}; rolling back would overwrite that. "
            "Use --force to restore the prior configuration anyway"
        )
    calls = action.rollback_calls(change.target, change.prior, current, params)
    for n, call in enumerate(calls):
        try:
            ctx.execute(call)
        except (ClientError, BotoCoreError) as exc:
            failed = change.evolve(error=f"rollback: {call.describe()} failed after {n} of {len(calls)} calls: {describe_error(exc)}")
            rstore.update_change(failed, actor=actor, action="remediate.rollback", details={"outcome": "failed", "rollback_calls": [c.describe() for c in calls]})
            raise RemediationError(failed.error) from exc
    restored, err = False, ""
    for attempt in range(cfg.verify_attempts):
        try:
            restored = action.restored(ctx, change.target, change.prior, params)
        except (ClientError, BotoCoreError) as exc:
            err = describe_error(exc)
        if restored:
            break
        if attempt + 1 < cfg.verify_attempts:
            sleep(cfg.verify_delay_seconds)
    details = {"rollback_calls": [c.describe() for c in calls], "outcome": "restored" if restored else "not verified", "forced": force}
    if not restored:
        unverified = change.evolve(error=f"rollback calls made, but the prior configuration is not back: {err or 'it differs'}")
        rstore.update_change(unverified, actor=actor, action="remediate.rollback", details=details)
        raise RemediationError(unverified.error)
    done = change.evolve(status=ChangeStatus.ROLLED_BACK, rolled_back_at=datetime.now(UTC), error="")
    rstore.update_change(done, actor=actor, action="remediate.rollback", details=details)
    return done


def rollback_plan(
    rstore: RemediationStore, clients: Clients, plan: Plan, cfg: GuardrailsConfig, *, actor: str, force: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[Change], list[tuple[Change, str]]]:  # fmt: skip
    """Roll back every applied change of a plan, newest first. Returns (rolled back, [(change, why not)])."""
    load_actions()
    ok: list[Change] = []
    failed: list[tuple[Change, str]] = []
    for c in sorted(plan.changes, key=lambda c: -c.seq):
        if c.status not in (ChangeStatus.APPLIED, ChangeStatus.UNVERIFIED):
            continue
        try:
            ok.append(rollback_change(rstore, clients, c, cfg, actor=actor, force=force, sleep=sleep))
        except RemediationError as exc:
            failed.append((c, str(exc)))
    fresh = rstore.plan(plan.id)
    rstore.set_plan_status(plan.id, plan_status(fresh.changes), actor=actor, action="remediate.rollback_plan",
                           details={"rolled_back": [c.id for c in ok], "failed": {c.id: why for c, why in failed}})  # fmt: skip
    return ok, failed
