"""Tables of remediation.

``remediation_plans``    one row per plan: who asked, for what, when, how it ended.
``remediation_changes``  one row per planned change to one live resource: the API calls,
                         the configuration before and after, the prior configuration saved
                         for rollback, how far an apply got, errors.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

remediation_plans = Table(
    "remediation_plans",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("source", String(40), nullable=False),
    Column("selector", JSONType, nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_remediation_plans_created_at", "created_at"),
)

remediation_changes = Table(
    "remediation_changes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("plan_id", String(40), ForeignKey("remediation_plans.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("action", String(80), nullable=False),
    Column("rule_id", String(200), nullable=False),
    Column("finding_id", String(64), nullable=False),
    Column("account", String(40), nullable=False),
    Column("region", String(40), nullable=False),
    Column("resource_type", String(120), nullable=False),
    Column("resource_id", Text, nullable=False),
    Column("resource_arn", Text, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("params", JSONType, nullable=False),
    Column("status", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("calls", JSONType, nullable=False),
    Column("before", JSONType, nullable=True),
    Column("after", JSONType, nullable=True),
    Column("prior", JSONType, nullable=True),
    Column("calls_done", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("applied_at", UTCDateTime(), nullable=True),
    Column("rolled_back_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_remediation_changes_plan_id", "plan_id"),
    Index("ix_remediation_changes_status", "status"),
)
