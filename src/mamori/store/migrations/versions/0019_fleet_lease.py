"""Distributed scans: the finaliser's lease (a finaliser killed mid-record is taken over when it lapses).

Revision ID: 0019_fleet_lease
Revises: 0016_fleet
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import UTCDateTime

revision = "0019_fleet_lease"
down_revision = "0016_fleet"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fleet_scans", sa.Column("lease_owner", sa.String(64), nullable=True))
    op.add_column("fleet_scans", sa.Column("lease_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fleet_scans") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
