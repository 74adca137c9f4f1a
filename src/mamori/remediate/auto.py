"""After a scan: apply the plans of rules in ``auto`` mode; plan (dry run) those in ``manual`` mode.

Called by ``mamori scan --remediate`` once the scan is recorded. Only the scanned
accounts' open findings are considered; ``detect`` rules are left alone. A plan is stored
only when it holds something to change; the manual changes in it wait for
``mamori remediate apply <plan-id>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mamori.config.guardrails import GuardrailsConfig, Mode
from mamori.findings import Store
from mamori.remediate.apply import apply_plan
from mamori.remediate.clients import Clients
from mamori.remediate.model import ApplyReport, Change, ChangeStatus, Plan
from mamori.remediate.planner import Selector, plan_from_store
from mamori.remediate.repo import RemediationStore


@dataclass(frozen=True)
class AutoResult:
    plan: Plan | None
    report: ApplyReport | None


def _is_auto(c: Change) -> bool:
    return c.mode == Mode.AUTO.value


def after_scan(
    store: Store,
    clients: Clients,
    cfg: GuardrailsConfig,
    *,
    accounts: Sequence[str],
    actor: str,
    rule_params: Mapping[str, Mapping[str, Any]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AutoResult:
    if not accounts:
        return AutoResult(None, None)
    selector = Selector(accounts=tuple(accounts), modes=(Mode.AUTO, Mode.MANUAL))
    plan = plan_from_store(
        store, clients, cfg, selector, actor=actor, source="scan", rule_params=rule_params,
        save=lambda p: any(c.status is ChangeStatus.PLANNED for c in p.changes),
    )  # fmt: skip
    if not any(c.status is ChangeStatus.PLANNED for c in plan.changes):
        return AutoResult(None, None)
    if not any(_is_auto(c) and c.status is ChangeStatus.PLANNED for c in plan.changes):
        return AutoResult(plan, None)
    report = apply_plan(RemediationStore(store.engine), clients, plan, cfg, actor=actor, only=_is_auto, sleep=sleep)
    return AutoResult(plan, report)
