"""Scans: where each container image runs (ECS services, Lambda functions) and how exposed it is.

Revision ID: 0020_scan_workloads
Revises: 0001_initial
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType

revision = "0020_scan_workloads"
down_revision = "0001_initial"
branch_labels = ("workloads",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_workloads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id", ondelete="CASCADE", name="fk_scan_workloads_scan_id_scans"), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("resource_type", sa.String(120), nullable=False),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("resource_arn", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("exposure", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("tags", JSONType, nullable=False),
    )
    op.create_index("ix_scan_workloads_digest", "scan_workloads", ["digest"])
    op.create_index("ix_scan_workloads_scan_id", "scan_workloads", ["scan_id"])


def downgrade() -> None:
    op.drop_index("ix_scan_workloads_scan_id", "scan_workloads")
    op.drop_index("ix_scan_workloads_digest", "scan_workloads")
    op.drop_table("scan_workloads")
