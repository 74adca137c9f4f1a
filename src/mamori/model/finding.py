"""Severities, statuses, rule results and findings."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from mamori.model.resource import Resource


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFORMATIONAL = "informational"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 ... informational 0."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        v = value.strip().lower()
        if v == "info":
            v = "informational"
        try:
            return cls(v)
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (one of: {known})") from None


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFORMATIONAL: 0,
}


class ResultStatus(StrEnum):
    """The outcome of one rule on one resource."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"


class FindingStatus(StrEnum):
    """The lifecycle of a stored finding."""

    NEW = "NEW"
    NOTIFIED = "NOTIFIED"
    RESOLVED = "RESOLVED"
    SUPPRESSED = "SUPPRESSED"
    REMOVED = "REMOVED"  # closed: its account left the organization ("account removed"), not fixed

    @property
    def is_open(self) -> bool:
        return self in (FindingStatus.NEW, FindingStatus.NOTIFIED)


def finding_id(rule_id: str, account: str, region: str, resource_type: str, resource_id: str) -> str:
    """A stable id for (rule, account, region, resource): the same on every scan."""
    raw = "\x1f".join((rule_id, account, region, resource_type, resource_id))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Result:
    """One rule evaluated on one resource (or on a whole scope when data was missing)."""

    rule_id: str
    status: ResultStatus
    severity: Severity
    resource_type: str
    resource_id: str
    account: str
    region: str
    arn: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def finding_id(self) -> str:
        return finding_id(self.rule_id, self.account, self.region, self.resource_type, self.resource_id)

    @classmethod
    def of(
        cls,
        rule_id: str,
        severity: Severity,
        resource: Resource,
        status: ResultStatus,
        evidence: dict[str, Any] | None = None,
        reason: str = "",
    ) -> Result:
        return cls(
            rule_id=rule_id,
            status=status,
            severity=severity,
            resource_type=resource.type,
            resource_id=resource.id,
            account=resource.account,
            region=resource.region,
            arn=resource.arn,
            evidence=evidence or {},
            reason=reason,
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """A stored finding: a FAIL result with a lifecycle across scans."""

    id: str
    rule_id: str
    title: str
    severity: Severity
    status: FindingStatus
    resource_type: str
    resource_id: str
    resource_arn: str
    account: str
    region: str
    evidence: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None = None
    source: str = "mamori"

    def to_dict(self) -> dict[str, Any]:
        resource = {
            "type": self.resource_type,
            "id": self.resource_id,
            "arn": self.resource_arn,
            "account": self.account,
            "region": self.region,
        }
        if self.resource_type.startswith("gcp."):  # a GCP resource's scope is its project (account = project id)
            resource["project"] = self.account
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "status": self.status.value,
            "resource": resource,
            "evidence": self.evidence,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class FindingMeta:
    """What is kept beside a finding (``hub_finding_meta``): resource tags and the root cause used for digests."""

    tags: Mapping[str, str] = field(default_factory=dict)
    root_cause: str | None = None
