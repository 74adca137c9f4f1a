"""Just-in-time access: requests, grants, reviewed runbooks and their runs.

Revision ID: 0017_access
Revises: 0001_initial
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0017_access"
down_revision = "0001_initial"
branch_labels = ("access",)
depends_on = None


def _fk(col: str, table: str, ref: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{ref}.id", ondelete="CASCADE", name=f"fk_{table}_{col}_{ref}")


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("accounts", JSONType, nullable=False),
        sa.Column("permission_set", sa.String(200), nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("ticket", sa.String(200), nullable=True),
        sa.Column("finding_id", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("approvers", JSONType, nullable=False),
        sa.Column("approvals_required", sa.Integer, nullable=False),
        sa.Column("approvals", JSONType, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("review", sa.String(16), nullable=True),
        sa.Column("review_note", sa.Text, nullable=True),
        sa.Column("mode", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_requests"),
    )
    op.create_index("ix_access_requests_status", "access_requests", ["status"])
    op.create_index("ix_access_requests_requester", "access_requests", ["requester"])
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(16), _fk("request_id", "access_grants", "access_requests"), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("permission_set", sa.String(200), nullable=False),
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("principal_id", sa.String(200), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.Column("assignment", sa.String(32), nullable=False),
        sa.Column("details", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_grants"),
    )
    op.create_index("ix_access_grants_request_id", "access_grants", ["request_id"])
    op.create_index("ix_access_grants_state", "access_grants", ["state"])
    op.create_table(
        "access_runbooks",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=True),
        sa.Column("approved_sha256", sa.String(64), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_access_runbooks"),
    )
    op.create_table(
        "access_runbook_runs",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("runbook", sa.String(100), nullable=False),
        sa.Column("request_id", sa.String(16), _fk("request_id", "access_runbook_runs", "access_requests"), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("steps", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_runbook_runs"),
    )
    op.create_index("ix_access_runbook_runs_request_id", "access_runbook_runs", ["request_id"])


def downgrade() -> None:
    op.drop_table("access_runbook_runs")
    op.drop_table("access_runbooks")
    op.drop_table("access_grants")
    op.drop_table("access_requests")
