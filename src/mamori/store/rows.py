"""Row helpers shared by the store's modules: chunking, JSON-safe values, history rows, row -> Finding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mamori.model.finding import Finding, FindingStatus, Severity

OPEN = (FindingStatus.NEW.value, FindingStatus.NOTIFIED.value)
CHUNK = 900  # stays under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class FindingMeta:
    """What the hub keeps beside a finding: resource tags and the root cause used for digests."""

    tags: Mapping[str, str] = field(default_factory=dict)
    root_cause: str | None = None


def chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


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


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


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
