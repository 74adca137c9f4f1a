"""Scans, findings, finding history and score history.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("accounts", JSONType, nullable=False),
        sa.Column("regions", JSONType, nullable=False),
        sa.Column("rules", JSONType, nullable=False),
        sa.Column("errors", JSONType, nullable=False),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("resources", sa.Integer, nullable=False),
    )
    op.create_index("ix_scans_finished_at", "scans", ["finished_at"])
    op.create_table(
        "findings",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resource_type", sa.String(120), nullable=False),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("resource_arn", sa.Text, nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("evidence", JSONType, nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("last_scan_id", sa.String(36), nullable=True),
        sa.Column("times_reopened", sa.Integer, nullable=False),
    )
    op.create_index("ix_findings_status", "findings", ["status"])
    op.create_index("ix_findings_rule_id", "findings", ["rule_id"])
    op.create_index("ix_findings_account", "findings", ["account"])
    op.create_table(
        "finding_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "finding_id",
            sa.String(64),
            sa.ForeignKey("findings.id", ondelete="CASCADE", name="fk_finding_history_finding_id_findings"),
            nullable=False,
        ),
        sa.Column("scan_id", sa.String(36), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_finding_history_finding_id", "finding_history", ["finding_id"])
    op.create_index("ix_finding_history_scan_id", "finding_history", ["scan_id"])
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scan_id",
            sa.String(36),
            sa.ForeignKey("scans.id", ondelete="CASCADE", name="fk_scores_scan_id_scans"),
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("standard", sa.String(40), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("unknown", sa.Integer, nullable=False),
        sa.Column("weight_passed", sa.Integer, nullable=False),
        sa.Column("weight_total", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
    )
    op.create_index("ix_scores_scan_id", "scores", ["scan_id"])
    op.create_index("ix_scores_standard_account_category", "scores", ["standard", "account", "category"])


def downgrade() -> None:
    op.drop_table("scores")
    op.drop_table("finding_history")
    op.drop_table("findings")
    op.drop_table("scans")
