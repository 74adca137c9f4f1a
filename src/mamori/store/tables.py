"""The store's schema (SQLAlchemy Core tables on one MetaData).

Changing a table here needs a migration in ``migrations/versions``; a test checks that
the migrated schema and this metadata agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType: Any = JSON().with_variant(JSONB(), "postgresql")

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
