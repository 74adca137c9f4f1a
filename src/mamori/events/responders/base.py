"""The responder interface: a match -> an :class:`Intent`, decided without any I/O.

A responder that changes AWS names a remediation action (``mamori.remediate``'s
``ACTIONS``), a :class:`~mamori.remediate.model.Target` taken from the event, and the
action's parameters. The intent carries the calls the action proposes for the state the
event implies (the trail the event stopped is not logging, the key it created is active),
so a dry run and a replay show the exact API calls without reading AWS. Acting goes
through remediate's planner and apply (fresh read, change, verify, audit):
:mod:`mamori.events.responders.act`. ``notify`` only tells people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from mamori.registry import Registry
from mamori.remediate.action import load_actions
from mamori.remediate.errors import ActionParamsError
from mamori.remediate.model import ApiCall, Target

if TYPE_CHECKING:
    from mamori.events.matcher import Match


class ResponseResult(StrEnum):
    PENDING = "pending"  # claimed, not finished (a crash in between is retried on redelivery)
    PLANNED = "planned"  # dry-run: the intent is recorded, nothing was changed
    APPLIED = "applied"  # act: the remediation change was applied and verified
    FAILED = "failed"  # act: the change failed (or was not verified); ``error`` says why
    SKIPPED = "skipped"  # nothing to do (failed call, not possible, already so, mode notify); ``error`` says why
    SENT = "sent"  # a notification was delivered


def _target_dict(t: Target) -> dict[str, str]:
    return {"account": t.account, "region": t.region, "resource_type": t.resource_type, "resource_id": t.resource_id, "arn": t.arn}


@dataclass(frozen=True)
class Intent:
    """What a responder would do about one match, or (``reason``) why it cannot.

    ``remediation`` names the remediate action ("" for a notification); ``calls`` are the
    calls it proposes for the state the event implies.
    """

    responder: str
    summary: str
    account: str = ""
    region: str = ""
    remediation: str = ""
    target: Target | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    calls: tuple[ApiCall, ...] = ()
    reason: str = ""

    @property
    def feasible(self) -> bool:
        return not self.reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "responder": self.responder,
            "action": self.summary,
            "account": self.account,
            "region": self.region,
            "remediation": self.remediation,
            "target": _target_dict(self.target) if self.target else None,
            "params": dict(self.params),
            "calls": [c.to_dict() for c in self.calls],
            "feasible": self.feasible,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Intent:
        """Also reads what mamori recorded before responders went through remediate (no target, calls without region)."""
        region = str(d.get("region", ""))
        t = d.get("target")
        calls = tuple(
            ApiCall(str(c["service"]), str(c["operation"]), str(c.get("region") or region), dict(c.get("params") or {}), str(c.get("permission", "")))
            for c in d.get("calls") or ()
        )
        return cls(
            responder=str(d["responder"]),
            summary=str(d.get("action", "")),
            account=str(d.get("account", "")),
            region=region,
            remediation=str(d.get("remediation", "")),
            target=Target(str(t["account"]), str(t["region"]), str(t["resource_type"]), str(t["resource_id"]), str(t.get("arn", ""))) if t else None,
            params=dict(d.get("params") or {}),
            calls=calls,
            reason=str(d.get("reason", "")) if not d.get("feasible", True) else "",
        )


class Responder:
    """Base class: subclasses set the class attributes and implement ``decide``."""

    name: ClassVar[str]
    actions: ClassVar[tuple[str, ...]] = ()
    """The remediation actions it may run (none: it changes nothing)."""
    description: ClassVar[str] = ""

    @property
    def mutates(self) -> bool:
        return bool(self.actions)

    @property
    def permissions(self) -> tuple[str, ...]:
        """The IAM permissions of its actions (declared once, by the actions)."""
        registry = load_actions()
        return tuple(sorted({p for a in self.actions for p in registry.get(a).permissions}))

    def decide(self, match: Match, params: Mapping[str, Any]) -> Intent:
        raise NotImplementedError

    def refuse(self, summary: str, account: str, region: str, reason: str) -> Intent:
        return Intent(self.name, summary, account, region, reason=reason)

    def remediate(self, summary: str, action: str, target: Target, implied: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> Intent:
        """An intent to run ``action`` on ``target``: the calls it proposes for the ``implied`` state (no I/O)."""
        act = load_actions().get(action)
        try:
            p = act.params("", params or {})
        except ActionParamsError as exc:
            return Intent(self.name, summary, target.account, target.region, action, target, dict(params or {}), reason=f"invalid parameters: {exc}")
        proposal = act.propose(target, implied, p)
        return Intent(
            self.name, summary, target.account, target.region, action, target, p.model_dump(mode="json"), proposal.calls,
            reason=proposal.refused,
        )  # fmt: skip


RESPONDERS: Registry[Responder] = Registry("responder")


def register(cls: type[Responder]) -> type[Responder]:
    RESPONDERS.add(cls.name, cls())
    return cls
