"""Security engagements: engagements, the accounts their apps live in, tasks, task history.

Revision ID: 0014_engage
Revises: 0001_initial
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0014_engage"
down_revision = "0001_initial"
branch_labels = ("engage",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engage_engagements",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("app", sa.String(100), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("answers", JSONType, nullable=False),
        sa.Column("answered_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_engage_engagements"),
        sa.UniqueConstraint("app", name="uq_engage_engagements_app"),
    )
    op.create_index("ix_engage_engagements_team", "engage_engagements", ["team"])
    op.create_table(
        "engage_app_accounts",
        sa.Column(
            "engagement_id",
            sa.String(16),
            sa.ForeignKey(
                "engage_engagements.id",
                ondelete="CASCADE",
                name="fk_engage_app_accounts_engagement_id_engage_engagements",
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("account", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("engagement_id", "account", name="pk_engage_app_accounts"),
    )
    op.create_index("ix_engage_app_accounts_account", "engage_app_accounts", ["account"])
    op.create_table(
        "engage_tasks",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column(
            "engagement_id",
            sa.String(16),
            sa.ForeignKey(
                "engage_engagements.id",
                ondelete="CASCADE",
                name="fk_engage_tasks_engagement_id_engage_engagements",
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("app", sa.String(100), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
        sa.Column("controls", JSONType, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("due", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_note", sa.Text, nullable=False),
        sa.Column("verify", JSONType, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("times_reopened", sa.Integer, nullable=False),
        sa.Column("attested_by", sa.String(200), nullable=True),
        sa.Column("attest_evidence", sa.Text, nullable=True),
        sa.Column("attest_expires_at", UTCDateTime(), nullable=True),
        sa.Column("jira_key", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_engage_tasks"),
    )
    op.create_index("ix_engage_tasks_engagement_id", "engage_tasks", ["engagement_id"])
    op.create_index("ix_engage_tasks_team", "engage_tasks", ["team"])
    op.create_index("ix_engage_tasks_status", "engage_tasks", ["status"])
    op.create_table(
        "engage_task_history",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column(
            "task_id",
            sa.String(16),
            sa.ForeignKey(
                "engage_tasks.id", ondelete="CASCADE", name="fk_engage_task_history_task_id_engage_tasks"
            ),
            nullable=False,
        ),  # fmt: skip
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("scan_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_engage_task_history"),
    )
    op.create_index("ix_engage_task_history_task_id", "engage_task_history", ["task_id"])


def downgrade() -> None:
    op.drop_table("engage_task_history")
    op.drop_table("engage_tasks")
    op.drop_table("engage_app_accounts")
    op.drop_table("engage_engagements")
