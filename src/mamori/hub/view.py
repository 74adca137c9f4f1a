"""Findings as the hub shows them: with tags, root cause, owner, due date, overdue and suppression.

The owner is the one a person assigned (``meta["owner"]``, from ``findings.owner``) when
there is one, else the owners mapping of ``mamori.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.hub.owners import due_at, owner_of
from mamori.model.finding import Finding, FindingStatus


@dataclass(frozen=True, slots=True)
class HubFinding:
    finding: Finding
    owner: str
    due_at: datetime | None
    overdue: bool
    tags: Mapping[str, str] = field(default_factory=dict)
    root_cause: str | None = None
    suppression_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = self.finding.to_dict()
        d.update(
            owner=self.owner,
            due_at=self.due_at.isoformat() if self.due_at else None,
            overdue=self.overdue,
            tags=dict(self.tags),
            root_cause=self.root_cause,
            suppression_id=self.suppression_id if self.finding.status is FindingStatus.SUPPRESSED else None,
        )
        return d


def enrich(
    findings: Iterable[Finding], meta: Mapping[str, Mapping[str, Any]], owners: OwnersConfig, sla: SlaConfig, now: datetime
) -> list[HubFinding]:
    out = []
    for f in findings:
        m = meta.get(f.id) or {}
        tags = m.get("tags") or {}
        due = due_at(sla, f.severity, f.first_seen)
        out.append(
            HubFinding(
                finding=f,
                owner=m.get("owner") or owner_of(owners, f.account, tags),
                due_at=due,
                overdue=bool(due and f.status.is_open and now > due),
                tags=tags,
                root_cause=m.get("root_cause"),
                suppression_id=m.get("suppression_id"),
            )
        )
    return out
