"""The responder interface: plan first, apply as a separate, recorded step.

A responder turns a :class:`~mamori.events.engine.Match` into a :class:`Plan`: the AWS
calls it would make (service, operation, parameters), in which account and region, and
why. ``dry-run`` records the plan; ``act`` applies it through injected clients
(:class:`AwsClients`) and verifies the result; ``notify`` only tells people. Every
responder declares whether it mutates and the IAM permissions it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from mamori.events.errors import ResponderError
from mamori.notify import Notification
from mamori.registry import Registry

if TYPE_CHECKING:
    from mamori.events.engine import Match


class ResponseResult(StrEnum):
    PENDING = "pending"  # claimed, not finished (a crash in between is retried on redelivery)
    PLANNED = "planned"  # dry-run: the plan is recorded, nothing was changed
    APPLIED = "applied"  # act: the calls succeeded (and verified where a check exists)
    FAILED = "failed"  # act: a call failed; ``error`` says which
    SKIPPED = "skipped"  # nothing to do (failed call, not possible, mode notify); ``error`` says why
    SENT = "sent"  # a notification was delivered


@dataclass(frozen=True)
class ApiCall:
    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ApiCall:
        return cls(str(d["service"]), str(d["operation"]), dict(d.get("params") or {}))

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if k != "PolicyDocument")
        return f"{self.service}:{self.operation}({args})"


@dataclass(frozen=True)
class Plan:
    """What a responder would do. ``feasible`` False means it cannot (``reason`` says why)."""

    responder: str
    action: str
    account: str = ""
    region: str = ""
    calls: tuple[ApiCall, ...] = ()
    feasible: bool = True
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "responder": self.responder,
            "action": self.action,
            "account": self.account,
            "region": self.region,
            "calls": [c.to_dict() for c in self.calls],
            "feasible": self.feasible,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        return cls(
            responder=str(d["responder"]),
            action=str(d.get("action", "")),
            account=str(d.get("account", "")),
            region=str(d.get("region", "")),
            calls=tuple(ApiCall.from_dict(c) for c in d.get("calls") or ()),
            feasible=bool(d.get("feasible", True)),
            reason=str(d.get("reason", "")),
        )


class AwsClients(Protocol):
    """Clients per (service, account, region); the account decides which role is assumed."""

    def client(self, service: str, account: str, region: str) -> Any: ...


@dataclass
class ResponseEnv:
    """What applying may use: AWS clients and a way to send a notification."""

    clients: AwsClients | None = None
    send: Callable[[Notification], list[str]] | None = None
    """Deliver a notification to every channel; returns the channels' errors (empty = all sent)."""
    lines: list[str] = field(default_factory=list)
    """What the other responders did, for the notification's body."""
    offence: int = 0


class Responder:
    """Base class: subclasses set the class attributes and implement ``plan``."""

    name: ClassVar[str]
    mutates: ClassVar[bool] = True
    permissions: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def plan(self, match: Match, params: Mapping[str, Any]) -> Plan:
        raise NotImplementedError

    def apply(self, plan: Plan, env: ResponseEnv, match: Match | None = None) -> dict[str, Any]:
        """Make the plan's calls in order; raise ResponderError naming the call that failed."""
        if env.clients is None:
            raise ResponderError("no AWS clients were given to act with")
        out: dict[str, Any] = {}
        for call in plan.calls:
            client = env.clients.client(call.service, plan.account, plan.region)
            try:
                resp = getattr(client, xform_name(call.operation))(**call.params)
            except (ClientError, BotoCoreError) as exc:
                raise ResponderError(f"{call} failed: {exc}") from exc
            resp = dict(resp or {})
            resp.pop("ResponseMetadata", None)
            out[call.operation] = resp
        out.update(self.verify(plan, env))
        return out

    def verify(self, plan: Plan, env: ResponseEnv) -> dict[str, Any]:
        """Check that applying worked (read-only calls only). Raise ResponderError when not."""
        return {}


RESPONDERS: Registry[Responder] = Registry("responder")


def register(cls: type[Responder]) -> type[Responder]:
    RESPONDERS.add(cls.name, cls())
    return cls
