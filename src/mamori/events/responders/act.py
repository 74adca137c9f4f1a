"""Act on an intent: the remediation path, the same as ``mamori remediate plan`` + ``apply``.

One change per response, in a stored plan (source ``events``, the detection, event and
responder in its selector): plan from a fresh read of the live resource, apply exactly
the planned calls, verify by re-reading, record the change — and audit every step
(``remediate.plan``, ``remediate.change``, ``remediate.apply``). The change can be
inspected (``mamori remediate show``) and, where the action allows, rolled back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from mamori.config.guardrails import GuardrailsConfig
from mamori.errors import MamoriError
from mamori.events.responders.base import Intent, ResponseResult
from mamori.remediate.action import load_actions
from mamori.remediate.apply import plan_and_apply
from mamori.remediate.clients import Clients
from mamori.remediate.model import ChangeStatus
from mamori.remediate.planner import Item

if TYPE_CHECKING:
    from mamori.events.matcher import Match

SOURCE = "events"


@dataclass(frozen=True)
class Acted:
    result: ResponseResult
    error: str = ""
    output: dict[str, Any] = field(default_factory=dict)


@dataclass
class Remediator:
    """What acting needs: the store (plans, changes, audit log) and clients for the event's account."""

    engine: Engine
    clients: Clients
    guardrails: GuardrailsConfig = field(default_factory=GuardrailsConfig)
    actor: str = SOURCE
    sleep: Callable[[float], None] = time.sleep

    def act(self, match: Match, intent: Intent) -> Acted:
        if not intent.remediation or intent.target is None:
            return Acted(ResponseResult.FAILED, "the recorded intent names no remediation action (recorded by an older mamori): respond by hand")
        item = Item(load_actions().get(intent.remediation), intent.target, match.detection.id, match.finding_id, dict(intent.params))
        selector = {"detection": match.detection.id, "event_id": match.event_id, "responder": intent.responder, "principal": match.principal.arn}
        try:
            plan, report = plan_and_apply(self.engine, self.clients, [item], self.guardrails, actor=self.actor, source=SOURCE,
                                          selector=selector, sleep=self.sleep)  # fmt: skip
        except MamoriError as exc:
            return Acted(ResponseResult.FAILED, str(exc))
        [change] = (report.plan if report else plan).changes
        output = {"plan_id": plan.id, "change_id": change.id, "status": change.status.value, "calls": [str(c) for c in change.calls]}
        if change.status is ChangeStatus.APPLIED:
            return Acted(ResponseResult.APPLIED, "", output | {"verified": True})
        if change.status is ChangeStatus.NOOP:
            return Acted(ResponseResult.SKIPPED, f"nothing to change: {change.reason or change.summary or 'already so'}", output)
        if change.status in (ChangeStatus.BLOCKED, ChangeStatus.EXEMPT):
            return Acted(ResponseResult.SKIPPED, change.reason, output)
        return Acted(ResponseResult.FAILED, f"{change.status.value}: {change.error or change.reason}", output)
