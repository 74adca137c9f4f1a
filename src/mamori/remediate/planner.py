"""Plans: open findings of rules that have an action -> one change per live resource.

Planning reads only: each change comes from a fresh read of the live resource
(``Action.plan``), never from the (possibly old) scan, and the result is stored with an
id. A resource that cannot be read gets status ``error`` (the plan still covers the
rest); an exempted one ``exempt`` (nothing is read); a compliant one ``noop``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.base import error_code, error_message
from mamori.config.guardrails import GuardrailsConfig, Mode
from mamori.findings import FindingFilter, Store
from mamori.model.finding import Finding, FindingStatus
from mamori.remediate.action import Action, bindings, load_actions
from mamori.remediate.clients import Clients
from mamori.remediate.errors import RemediationError, UnboundRuleError
from mamori.remediate.model import Change, ChangeStatus, Plan, PlanId, Target, plan_status
from mamori.remediate.repo import RemediationStore, new_change_id, new_plan_id
from mamori.rules import RuleSet

DIRECT = "direct"
"""The mode of changes asked for explicitly (``mamori keys``), outside the rule modes."""


@dataclass(frozen=True)
class Item:
    """One thing to plan: an action on a target, why (rule, finding), with which parameters."""

    action: Action
    target: Target
    rule_id: str = ""
    finding_id: str = ""
    params: Mapping[str, Any] | None = None
    mode: str = DIRECT
    rule_params: Mapping[str, Any] | None = None


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ClientError | BotoCoreError):
        return f"{error_code(exc)}: {error_message(exc)}"
    return str(exc)


def plan_item(item: Item, plan_id: PlanId, seq: int, clients: Clients, cfg: GuardrailsConfig, now: datetime) -> tuple[Change, Mapping[str, Any] | None]:
    """A change for one item (reads the live resource), and the exemption used, if any."""
    a = item.action
    where = f"guardrails.rules.{item.rule_id}.params" if item.rule_id else ""
    overrides = item.params if item.params is not None else cfg.params_for(item.rule_id)
    params = a.params(item.rule_id, overrides, rule_params=item.rule_params, where=where)
    base = Change(
        id=new_change_id(), plan_id=plan_id, seq=seq, action=a.name, rule_id=item.rule_id, finding_id=item.finding_id,
        target=item.target, mode=item.mode, params=params.model_dump(mode="json"), status=ChangeStatus.PLANNED,
    )  # fmt: skip
    note = ""
    if item.rule_id and item.mode != DIRECT:
        active, expired = cfg.exemption_for(item.rule_id, item.target.account, item.target.resource_id, item.target.arn, now=now)
        if active is not None:
            reason = f"exempt until {active.expires}: {active.reason} (approved by {active.approver})"
            return base.evolve(status=ChangeStatus.EXEMPT, reason=reason), active.to_dict()
        if expired is not None:
            note = f"exemption expired on {expired.expires}"
    try:
        ctx = clients.context(item.target.account)
        prop = a.plan(ctx, item.target, params)
    except (ClientError, BotoCoreError, RemediationError) as exc:
        return base.evolve(status=ChangeStatus.ERROR, reason=note, error=f"could not read the resource: {describe_error(exc)}"), None
    if prop.refused:
        return base.evolve(status=ChangeStatus.BLOCKED, before=prop.before, after=prop.after, reason=prop.refused), None
    status = ChangeStatus.NOOP if prop.noop else ChangeStatus.PLANNED
    reason = note or (f"rule in {item.mode} mode: apply is refused until the mode is manual or auto" if item.mode == Mode.DETECT else "")
    return base.evolve(status=status, summary=prop.summary, calls=prop.calls, before=prop.before, after=prop.after, reason=reason), None


def build_plan(
    items: Iterable[Item],
    clients: Clients,
    cfg: GuardrailsConfig,
    *,
    actor: str,
    source: str,
    selector: Mapping[str, Any],
    now: datetime | None = None,
) -> tuple[Plan, list[tuple[str, str, Mapping[str, Any]]]]:
    """Plan every item (de-duplicated); returns the plan and the exemptions it honoured (audit entries)."""
    when = now or datetime.now(UTC)
    pid = new_plan_id()
    seen: set[bytes] = set()
    changes: list[Change] = []
    honoured: list[tuple[str, str, Mapping[str, Any]]] = []
    for item in items:
        key = orjson.dumps([item.action.name, item.target.account, item.target.region, item.target.resource_id, item.rule_id], option=orjson.OPT_SORT_KEYS)
        if key in seen:
            continue
        seen.add(key)
        change, exemption = plan_item(item, pid, len(changes) + 1, clients, cfg, when)
        changes.append(change)
        if exemption is not None:
            honoured.append(("guardrails.exemption", change.target.label, {"rule_id": change.rule_id, "plan_id": pid, **exemption}))
    plan = Plan(pid, when, actor, source, dict(selector), tuple(changes))
    return Plan(pid, when, actor, source, dict(selector), tuple(changes), plan_status(plan.changes)), honoured


def items_from_findings(
    findings: Iterable[Finding], cfg: GuardrailsConfig, *, modes: Sequence[Mode] = (),
    rule_params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Item]:  # fmt: skip
    """One item per open finding of a rule with a bound action (optionally only in some modes)."""
    bound = bindings()
    out: list[Item] = []
    for f in findings:
        action = bound.get(f.rule_id)
        if action is None or not f.status.is_open:
            continue
        mode = cfg.mode_for(f.rule_id, f.account)
        if modes and mode not in modes:
            continue
        if f.resource_type != action.resource_type:
            raise RemediationError(f"finding {f.id} is about {f.resource_type}, but {action.name} fixes {action.resource_type}")
        target = Target(f.account, f.region, f.resource_type, f.resource_id, f.resource_arn)
        out.append(Item(action, target, f.rule_id, f.id, mode=mode.value, rule_params=(rule_params or {}).get(f.rule_id)))
    out.sort(key=lambda i: (i.rule_id, i.target.account, i.target.region, i.target.resource_id))
    return out


@dataclass(frozen=True)
class Selector:
    rules: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    finding_ids: tuple[str, ...] = ()
    modes: tuple[Mode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "accounts": list(self.accounts), "finding_ids": list(self.finding_ids), "modes": [m.value for m in self.modes]}


def remediable_rules() -> list[str]:
    return sorted(bindings())


def effective_rule_params(rules: RuleSet, overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each rule's parameters as the scan used them: the rule's defaults <- config ``params``."""
    return {r.id: {**r.spec.params, **dict(overrides.get(r.id, {}))} for r in rules}


def plan_from_store(
    store: Store,
    clients: Clients,
    cfg: GuardrailsConfig,
    selector: Selector,
    *,
    actor: str,
    source: str = "cli",
    now: datetime | None = None,
    save: Callable[[Plan], bool] | None = None,
    rule_params: Mapping[str, Mapping[str, Any]] | None = None,
) -> Plan:
    """Plan for the open findings the selector picks, and store the plan (``save(plan)`` may veto)."""
    load_actions()
    bound = bindings()
    unknown = [r for r in selector.rules if r not in bound]
    if unknown:
        raise UnboundRuleError(f"no remediation action is bound to {', '.join(unknown)} (bound: {', '.join(sorted(bound))})")
    flt = FindingFilter(statuses=(FindingStatus.NEW, FindingStatus.NOTIFIED), rules=selector.rules or tuple(bound), accounts=selector.accounts)
    findings = store.findings(flt)
    if selector.finding_ids:
        wanted = set(selector.finding_ids)
        findings = [f for f in findings if f.id in wanted or any(f.id.startswith(w) for w in wanted)]
    items = items_from_findings(findings, cfg, modes=selector.modes, rule_params=rule_params)
    plan, honoured = build_plan(items, clients, cfg, actor=actor, source=source, selector=selector.to_dict(), now=now)
    if save is None or save(plan):
        RemediationStore(store.engine).save_plan(plan, extra=honoured)
    return plan
