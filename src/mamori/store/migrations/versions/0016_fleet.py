"""Distributed scans: the scans in flight and the results of their shards.

Revision ID: 0016_fleet
Revises: 0001_initial
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0016_fleet"
down_revision = "0001_initial"
branch_labels = ("fleet",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_scans",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("shards", sa.Integer(), nullable=False),
        sa.Column("plan", JSONType, nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("scan_id", sa.String(36), nullable=True),
        sa.Column("result", JSONType, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_fleet_scans"),
    )
    op.create_table(
        "fleet_shards",
        sa.Column("scan_id", sa.String(36), nullable=False),
        sa.Column("shard", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("stored_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scan_id", "shard", name="pk_fleet_shards"),
    )
    op.create_index("ix_fleet_shards_scan_id_status", "fleet_shards", ["scan_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_fleet_shards_scan_id_status", table_name="fleet_shards")
    op.drop_table("fleet_shards")
    op.drop_table("fleet_scans")
