"""Audit: a stored head checkpoint, so truncation and rewrites are detected by default (issue 12).

Revision ID: 0007_audit_checkpoint
Revises: 0005_remediate
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_checkpoint"
down_revision = "0005_remediate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
