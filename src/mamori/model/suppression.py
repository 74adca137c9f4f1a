"""Suppressions (exceptions): an exact selector, a reason, an approver and an expiry. Pure, no I/O.

A selector names any of: rule id, account, region, resource id (compared with the
finding's resource id *and* its ARN, each exactly), finding id, and resource tags
(every given ``key: value`` must be present with exactly that value). Every given
field must match; at least one field must be given. Nothing is matched by substring,
prefix or pattern: ``ci-logs`` never matches ``ci-logs-replica``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NewType

SuppressionId = NewType("SuppressionId", str)

SELECTOR_FIELDS = ("rule_id", "account", "region", "resource_id", "finding_id")


@dataclass(frozen=True, slots=True)
class Target:
    """What a selector is matched against: the identifying fields of one finding and its tags."""

    finding_id: str
    rule_id: str
    account: str
    region: str
    resource_id: str
    resource_arn: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Selector:
    rule_id: str | None = None
    account: str | None = None
    region: str | None = None
    resource_id: str | None = None
    finding_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.is_empty():
            raise ValueError("a suppression needs at least one selector (rule, account, region, resource, finding or tag)")

    def is_empty(self) -> bool:
        return not self.tags and all(getattr(self, f) in (None, "") for f in SELECTOR_FIELDS)

    def matches(self, t: Target) -> bool:
        if self.finding_id is not None and self.finding_id != t.finding_id:
            return False
        if self.rule_id is not None and self.rule_id != t.rule_id:
            return False
        if self.account is not None and self.account != t.account:
            return False
        if self.region is not None and self.region != t.region:
            return False
        if self.resource_id is not None and self.resource_id != t.resource_id and self.resource_id != t.resource_arn:
            return False
        return all(t.tags.get(k) == v for k, v in self.tags.items())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f: getattr(self, f) for f in SELECTOR_FIELDS if getattr(self, f) is not None}
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.to_dict().items() if k != "tags"]
        parts += [f"tag:{k}={v}" for k, v in sorted(self.tags.items())]
        return " ".join(parts)

    def digest(self) -> str:
        """A stable hash of the selector (ids of suppressions that come from a file)."""
        raw = "\x1f".join(f"{k}={v}" for k, v in sorted(self.to_dict().items(), key=lambda kv: kv[0]) if k != "tags")
        raw += "\x1e" + "\x1f".join(f"{k}={v}" for k, v in sorted(self.tags.items()))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Suppression:
    id: SuppressionId
    selector: Selector
    reason: str
    approver: str
    expires_at: datetime
    created_at: datetime
    created_by: str = "cli"
    origin: str = "cli"
    removed_at: datetime | None = None
    removed_by: str | None = None

    def active(self, now: datetime) -> bool:
        return self.removed_at is None and self.expires_at > now

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "selector": self.selector.to_dict(),
            "reason": self.reason,
            "approver": self.approver,
            "expires_at": self.expires_at.isoformat(),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "origin": self.origin,
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "removed_by": self.removed_by,
        }


class SuppressionIndex:
    """The active suppressions at one instant, indexed so that matching 100k findings stays fast."""

    def __init__(self, items: Iterable[Suppression], now: datetime) -> None:
        self._by_finding: dict[str, list[Suppression]] = {}
        self._by_rule: dict[str | None, list[Suppression]] = {}
        for s in sorted(items, key=lambda s: (s.expires_at, s.id), reverse=True):
            if not s.active(now):
                continue
            if s.selector.finding_id is not None:
                self._by_finding.setdefault(s.selector.finding_id, []).append(s)
            else:
                self._by_rule.setdefault(s.selector.rule_id, []).append(s)
        self._wild = self._by_rule.get(None, [])

    def __bool__(self) -> bool:
        return bool(self._by_finding or self._by_rule)

    def match(self, t: Target) -> Suppression | None:
        """A matching suppression (the most specific kind first, then the longest-lasting), or None."""
        for group in (self._by_finding.get(t.finding_id, ()), self._by_rule.get(t.rule_id, ()), self._wild):
            for s in group:
                if s.selector.matches(t):
                    return s
        return None
