"""Events: threshold windows kept across restarts (a watcher that restarts mid-burst still counts it).

Revision ID: 0011_event_windows
Revises: 0003_events
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0011_event_windows"
down_revision = "0003_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_windows",
        sa.Column("detection_id", sa.String(120), primary_key=True),
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("items", JSONType, nullable=False),
        sa.Column("newest", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("event_windows")
