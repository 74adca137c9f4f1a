"""Typed requests and grants, their statuses, and the errors of just-in-time access.

    MamoriError
    ├── InputError
    │   └── AccessRefused        the policy refuses this (self-approval, not an approver, no
    │                            active grant, a runbook changed since its approval): exit 2
    └── GrantError               the cloud did not grant or remove access: exit 3
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from mamori.errors import InputError, MamoriError


class AccessRefused(InputError):
    """The access policy refuses this action."""


class GrantError(MamoriError):
    """Granting or removing access in the cloud failed."""


class RequestStatus(StrEnum):
    PENDING = "pending"  # waiting for approvals
    APPROVED = "approved"  # approvals complete, granting failed: an approver's `approve` retries it
    ACTIVE = "active"  # granted, before its end
    DENIED = "denied"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Kind(StrEnum):
    REQUEST = "request"
    BREAK_GLASS = "break_glass"


def new_id(prefix: str, *parts: object) -> str:
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:10]
    return f"{prefix}-{h}"


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


@dataclass(frozen=True)
class Grant:
    id: int
    request_id: str
    account: str
    permission_set: str
    principal: str
    principal_id: str | None
    starts_at: datetime
    ends_at: datetime
    state: str  # active | ended
    ended_at: datetime | None
    end_reason: str | None
    assignment: str  # created | existed | deleted | kept | none
    details: Mapping[str, Any] = field(default_factory=dict)

    def active_at(self, now: datetime) -> bool:
        return self.state == "active" and self.starts_at <= now < self.ends_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "request": self.request_id, "account": self.account, "permission_set": self.permission_set,
            "principal": self.principal, "principal_id": self.principal_id, "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at), "state": self.state, "ended_at": iso(self.ended_at),
            "end_reason": self.end_reason, "assignment": self.assignment,
        }  # fmt: skip


@dataclass(frozen=True)
class AccessRequest:
    id: str
    kind: Kind
    requester: str
    accounts: Sequence[str]
    permission_set: str
    duration_s: int
    reason: str
    ticket: str | None
    finding_id: str | None
    status: RequestStatus
    approvers: Sequence[str]
    approvals_required: int
    approvals: Sequence[Mapping[str, Any]]
    decided_by: str | None
    created_at: datetime
    updated_at: datetime
    starts_at: datetime | None
    ends_at: datetime | None
    review: str | None
    review_note: str | None
    mode: str
    grants: Sequence[Grant] = ()

    @property
    def approved_by(self) -> list[str]:
        return [str(a["by"]) for a in self.approvals]

    @property
    def context(self) -> dict[str, Any]:
        """What every audit entry about the request carries: the ticket or finding."""
        return {"ticket": self.ticket, "finding": self.finding_id}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind.value, "requester": self.requester, "accounts": list(self.accounts),
            "permission_set": self.permission_set, "duration_s": self.duration_s, "reason": self.reason,
            "ticket": self.ticket, "finding": self.finding_id, "status": self.status.value,
            "approvers": list(self.approvers), "approvals_required": self.approvals_required,
            "approvals": [dict(a) for a in self.approvals], "decided_by": self.decided_by,
            "created_at": iso(self.created_at), "starts_at": iso(self.starts_at), "ends_at": iso(self.ends_at),
            "review": self.review, "review_note": self.review_note, "mode": self.mode,
            "grants": [g.to_dict() for g in self.grants],
        }  # fmt: skip
