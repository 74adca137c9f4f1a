"""Plans, changes, targets and API calls: typed, frozen, JSON-round-trippable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

PlanId = NewType("PlanId", str)
ChangeId = NewType("ChangeId", str)


class ChangeStatus(StrEnum):
    PLANNED = "planned"  # the resource will change when applied
    NOOP = "noop"  # already compliant: nothing to do
    EXEMPT = "exempt"  # an active exemption covers it
    BLOCKED = "blocked"  # mode detect, or the action refuses (e.g. an organisation trail)
    ERROR = "error"  # could not be planned (the live resource could not be read)
    APPLYING = "applying"  # calls under way (a crash leaves this, with the prior state saved)
    APPLIED = "applied"  # changed and verified by re-reading
    UNVERIFIED = "unverified"  # changed, but re-reading did not (yet) show the desired state
    FAILED = "failed"  # a call failed; ``calls_done`` says how many succeeded before it
    STALE = "stale"  # the live configuration changed since the plan: re-plan
    ROLLED_BACK = "rolled_back"  # the prior configuration was restored

    @property
    def actionable(self) -> bool:
        """Apply (again) considers it."""
        return self in _ACTIONABLE


_ACTIONABLE = frozenset({ChangeStatus.PLANNED, ChangeStatus.FAILED, ChangeStatus.STALE, ChangeStatus.UNVERIFIED})


class PlanStatus(StrEnum):
    PLANNED = "planned"  # nothing applied yet
    NOTHING_TO_DO = "nothing_to_do"  # no change would modify anything
    APPLIED = "applied"  # every actionable change applied
    PARTIAL = "partial"  # some applied, some failed / stale / not attempted
    FAILED = "failed"  # attempted, nothing applied


@dataclass(frozen=True, slots=True)
class Target:
    """The live resource a change is about (as the finding names it)."""

    account: str
    region: str
    resource_type: str
    resource_id: str
    arn: str = ""

    @property
    def label(self) -> str:
        return f"{self.account}/{self.region}/{self.resource_id}"


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One AWS API call: ``client(service, region).<operation>(**params)``, and the IAM action it needs."""

    service: str
    operation: str
    region: str
    params: Mapping[str, Any]
    permission: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "region": self.region,
            "params": dict(self.params),
            "permission": self.permission,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ApiCall:
        return cls(str(d["service"]), str(d["operation"]), str(d["region"]), dict(d.get("params") or {}), str(d.get("permission", "")))

    def describe(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        return f"{self.service}:{self.operation}({args}) @{self.region}"

    def __str__(self) -> str:
        """The short form (no region, no policy documents): ``cloudtrail:StartLogging(Name='org-trail')``."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if k != "PolicyDocument")
        return f"{self.service}:{self.operation}({args})"


def _short(v: Any, limit: int = 160) -> str:
    s = v if isinstance(v, str) else repr(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass(frozen=True)
class Proposal:
    """What an action would do to one resource, from a fresh read: pure data, no side effects."""

    before: Mapping[str, Any]
    after: Mapping[str, Any]
    calls: tuple[ApiCall, ...] = ()
    summary: str = ""
    refused: str = ""
    """Set when the action will not act here (e.g. the resource belongs to another account)."""

    @property
    def noop(self) -> bool:
        return not self.calls and not self.refused


@dataclass(frozen=True)
class Change:
    """One planned (and later applied / rolled back) change to one resource."""

    id: ChangeId
    plan_id: PlanId
    seq: int
    action: str
    rule_id: str
    finding_id: str
    target: Target
    mode: str
    params: Mapping[str, Any]
    status: ChangeStatus
    summary: str = ""
    reason: str = ""
    calls: tuple[ApiCall, ...] = ()
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    prior: Mapping[str, Any] | None = None
    calls_done: int = 0
    error: str = ""
    applied_at: datetime | None = None
    rolled_back_at: datetime | None = None

    def evolve(self, **kw: Any) -> Change:
        return replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "plan_id": self.plan_id,
            "seq": self.seq,
            "action": self.action,
            "rule_id": self.rule_id,
            "finding_id": self.finding_id,
            "resource": {
                "account": self.target.account,
                "region": self.target.region,
                "type": self.target.resource_type,
                "id": self.target.resource_id,
                "arn": self.target.arn,
            },
            "mode": self.mode,
            "params": dict(self.params),
            "status": self.status.value,
            "summary": self.summary,
            "reason": self.reason,
            "calls": [c.to_dict() for c in self.calls],
            "before": self.before,
            "after": self.after,
            "prior": self.prior,
            "calls_done": self.calls_done,
            "error": self.error,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
            "rolled_back_at": self.rolled_back_at.isoformat() if self.rolled_back_at else None,
        }


@dataclass(frozen=True)
class Plan:
    id: PlanId
    created_at: datetime
    actor: str
    source: str
    selector: Mapping[str, Any]
    changes: tuple[Change, ...] = ()
    status: PlanStatus = PlanStatus.PLANNED

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.status.value] = out.get(c.status.value, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor,
            "source": self.source,
            "selector": dict(self.selector),
            "status": self.status.value,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


def plan_status(changes: Iterable[Change]) -> PlanStatus:
    """A plan's status from its changes."""
    cs = list(changes)
    applied = any(c.status in (ChangeStatus.APPLIED, ChangeStatus.ROLLED_BACK) for c in cs)
    troubled = any(c.status in _TROUBLED for c in cs)
    pending = any(c.status.actionable or c.status is ChangeStatus.APPLYING for c in cs)
    if applied:
        return PlanStatus.PARTIAL if pending else PlanStatus.APPLIED
    if troubled:
        return PlanStatus.FAILED
    return PlanStatus.PLANNED if pending else PlanStatus.NOTHING_TO_DO


_TROUBLED = frozenset({ChangeStatus.FAILED, ChangeStatus.STALE, ChangeStatus.UNVERIFIED, ChangeStatus.APPLYING})


@dataclass(frozen=True)
class ApplyReport:
    plan: Plan
    attempted: tuple[ChangeId, ...] = ()
    not_attempted: tuple[ChangeId, ...] = ()
    mutating_calls: tuple[str, ...] = field(default_factory=tuple)

    def by_status(self, status: ChangeStatus) -> list[Change]:
        ids = set(self.attempted)
        return [c for c in self.plan.changes if c.id in ids and c.status is status]
