"""Row helpers of the findings tables: open statuses, history rows, row -> Finding."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mamori.model.finding import Finding, FindingStatus, Severity

OPEN = (FindingStatus.NEW.value, FindingStatus.NOTIFIED.value)


def row_to_finding(row: Any) -> Finding:
    return Finding(
        id=row.id,
        rule_id=row.rule_id,
        title=row.title,
        severity=Severity(row.severity),
        status=FindingStatus(row.status),
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        resource_arn=row.resource_arn,
        account=row.account,
        region=row.region,
        evidence=row.evidence or {},
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        resolved_at=row.resolved_at,
        source=row.source,
    )


def hist(
    fid: str, scan_id: str | None, at: datetime, frm: FindingStatus | str | None, to: FindingStatus, note: str, actor: str = "scan"
) -> dict[str, Any]:
    return {
        "finding_id": fid,
        "scan_id": scan_id,
        "at": at,
        "from_status": FindingStatus(frm).value if frm else None,
        "to_status": to.value,
        "actor": actor,
        "note": note,
    }
