"""Organizations: the accounts each organization had at its last `--org` scan (to close the
findings of an account that left it as "account removed").

Revision ID: 0015_org
Revises: 0001_initial
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import UTCDateTime

revision = "0015_org"
down_revision = "0001_initial"
branch_labels = ("org",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_accounts",
        sa.Column("organization_id", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("org_accounts")
