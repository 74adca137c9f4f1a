"""mamori findings as OCSF 1.1 Detection Findings (class_uid 2004, category 2 Findings).

The shape follows the OCSF schema (and what Prowler emits), so tools that read Prowler's
``json-ocsf`` output read mamori's too — including mamori's own OCSF importer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mamori import __version__
from mamori.model.finding import Finding, FindingStatus, Severity

OCSF_VERSION = "1.1.0"
SEVERITY_ID = {
    Severity.INFORMATIONAL: 1, Severity.LOW: 2, Severity.MEDIUM: 3, Severity.HIGH: 4, Severity.CRITICAL: 5,
}  # fmt: skip
STATUS_ID = {FindingStatus.NEW: 1, FindingStatus.NOTIFIED: 2, FindingStatus.SUPPRESSED: 3, FindingStatus.RESOLVED: 4, FindingStatus.REMOVED: 99}
# REMOVED (the account left the organization): OCSF 1.1 has no "Archived" (5 came in a later
# version), so it is 99 "Other" with the label in `status`
STATUS_NAME = {1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 99: "Archived"}


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def to_ocsf(f: Finding, *, owner: str | None = None, due_at: datetime | None = None, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    status_id = STATUS_ID[f.status]
    resolved = f.status is FindingStatus.RESOLVED
    doc: dict[str, Any] = {
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": 3 if resolved else 1,
        "activity_name": "Close" if resolved else "Create",
        "type_uid": 200400 + (3 if resolved else 1),
        "severity_id": SEVERITY_ID[f.severity],
        "severity": f.severity.value.capitalize(),
        "status_id": status_id,
        "status": STATUS_NAME[status_id],
        "status_code": "PASS" if resolved else "FAIL",
        "time": _ms(f.last_seen),
        "time_dt": f.last_seen.isoformat(),
        "metadata": {
            "version": OCSF_VERSION,
            "event_code": f.rule_id,
            "product": {"name": "mamori", "vendor_name": "mamori", "version": __version__},
            "profiles": ["cloud"],
            "logged_time": _ms(now),
        },
        "finding_info": {
            "uid": f.id,
            "title": f.title,
            "types": [f.source],
            "created_time": _ms(f.first_seen),
            "created_time_dt": f.first_seen.isoformat(),
            "first_seen_time": _ms(f.first_seen),
            "last_seen_time": _ms(f.last_seen),
        },
        # OCSF account object: type_id 10 is "AWS Account" (its caption alone, without the id, fails validation)
        "cloud": {"provider": "AWS", "account": {"uid": f.account, "name": f.account, "type": "AWS Account", "type_id": 10}, "region": f.region},
        "resources": [
            {"uid": f.resource_arn or f.resource_id, "name": f.resource_id, "type": f.resource_type, "region": f.region}
        ],
        "evidences": [{"data": f.evidence}] if f.evidence else [],
        "unmapped": {"source": f.source},
    }
    if owner:
        doc["unmapped"]["owner"] = owner
    if due_at:
        doc["unmapped"]["due_at"] = due_at.isoformat()
    if resolved and f.resolved_at:
        doc["end_time"] = _ms(f.resolved_at)
    return doc
