"""Remediation: plans and changes, the access-key lifecycle notices, the audit log.

Revision ID: 0005_remediate
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0005_remediate"
down_revision = "0001_initial"
branch_labels = ("remediate",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "remediation_plans",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("selector", JSONType, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_remediation_plans_created_at", "remediation_plans", ["created_at"])
    op.create_table(
        "remediation_changes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "plan_id",
            sa.String(40),
            sa.ForeignKey(
                "remediation_plans.id", ondelete="CASCADE", name="fk_remediation_changes_plan_id_remediation_plans"
            ),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("finding_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("resource_type", sa.String(120), nullable=False),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("resource_arn", sa.Text, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("params", JSONType, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("calls", JSONType, nullable=False),
        sa.Column("before", JSONType, nullable=True),
        sa.Column("after", JSONType, nullable=True),
        sa.Column("prior", JSONType, nullable=True),
        sa.Column("calls_done", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("rolled_back_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_remediation_changes_plan_id", "remediation_changes", ["plan_id"])
    op.create_index("ix_remediation_changes_status", "remediation_changes", ["status"])
    op.create_table(
        "key_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("access_key_id", sa.String(128), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("recipients", JSONType, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.UniqueConstraint("account", "access_key_id", "stage", name="uq_key_notices_account_access_key_id_stage"),
    )


def downgrade() -> None:
    op.drop_table("key_notices")
    op.drop_table("remediation_changes")
    op.drop_table("remediation_plans")
    op.drop_index("ix_audit_log_at", "audit_log")
    op.drop_index("ix_audit_log_action", "audit_log")
    op.drop_table("audit_log")
