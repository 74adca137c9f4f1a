"""Tables of the findings and their lifecycle: scans, findings, their history, scores, suppressions.

``scans``             one row per scan: when, what it covered, counts, collection errors
``findings``          one row per finding (mamori's own, imported or from events) and its status
``finding_history``   every status change of a finding: when, from, to, who, why
``scores``            per scan, standard, account and category: the compliance score
``hub_suppressions``  exceptions: an exact selector (rule, account, region, resource id, finding
                      id, tags), a reason, an approver, an expiry; where it came from (``cli`` or
                      ``file:<path>``) and when/by whom it was removed
``hub_finding_meta``  one row per finding that has metadata: the resource's tags (for tag
                      selectors and owner mapping), its root cause (for digests) and the
                      suppression that currently suppresses it

Suppressions and finding metadata are read and written inside the scan's transaction (a
suppression decides a finding's status), so they live here with the lifecycle; the
``hub_`` prefix of their names is historical and kept so that existing stores need no
migration.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

scans = Table(
    "scans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("source", String(200), nullable=False),
    Column("accounts", JSONType, nullable=False),
    Column("regions", JSONType, nullable=False),
    Column("rules", JSONType, nullable=False),
    Column("errors", JSONType, nullable=False),
    Column("counts", JSONType, nullable=False),
    Column("resources", Integer, nullable=False),
    Index("ix_scans_finished_at", "finished_at"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source", String(40), nullable=False, default="mamori"),
    Column("rule_id", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("resource_type", String(120), nullable=False),
    Column("resource_id", Text, nullable=False),
    Column("resource_arn", Text, nullable=False),
    Column("account", String(40), nullable=False),
    Column("region", String(40), nullable=False),
    Column("evidence", JSONType, nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("resolved_at", UTCDateTime(), nullable=True),
    Column("last_scan_id", String(36), nullable=True),
    Column("times_reopened", Integer, nullable=False, default=0),
    Index("ix_findings_status", "status"),
    Index("ix_findings_rule_id", "rule_id"),
    Index("ix_findings_account", "account"),
)

finding_history = Table(
    "finding_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", String(64), ForeignKey("findings.id", ondelete="CASCADE"), nullable=False),
    Column("scan_id", String(36), nullable=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index("ix_finding_history_finding_id", "finding_id"),
    Index("ix_finding_history_scan_id", "scan_id"),
)

scores = Table(
    "scores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", String(36), ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("standard", String(40), nullable=False),
    Column("account", String(40), nullable=False),
    Column("category", String(40), nullable=False),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("unknown", Integer, nullable=False),
    Column("weight_passed", Integer, nullable=False),
    Column("weight_total", Integer, nullable=False),
    Column("score", Float, nullable=True),
    Index("ix_scores_scan_id", "scan_id"),
    Index("ix_scores_standard_account_category", "standard", "account", "category"),
)

suppressions = Table(
    "hub_suppressions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rule_id", String(200), nullable=True),
    Column("account", String(40), nullable=True),
    Column("region", String(40), nullable=True),
    Column("resource_id", Text, nullable=True),
    Column("finding_id", String(64), nullable=True),
    Column("tags", JSONType, nullable=False),
    Column("reason", Text, nullable=False),
    Column("approver", String(200), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("origin", String(400), nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
    Column("removed_by", String(200), nullable=True),
    Index("ix_hub_suppressions_expires_at", "expires_at"),
)

finding_meta = Table(
    "hub_finding_meta",
    metadata,
    Column("finding_id", String(64), ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("tags", JSONType, nullable=False),
    Column("root_cause", Text, nullable=True),
    Column("suppression_id", String(64), nullable=True),
    Index("ix_hub_finding_meta_suppression_id", "suppression_id"),
)
