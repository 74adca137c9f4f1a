"""Preventive guardrails: what mamori last deployed in an organization (SCPs, StackSet, rules).

Revision ID: 0013_guardrails
Revises: 0001_initial
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0013_guardrails"
down_revision = "0001_initial"
branch_labels = ("guardrails",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guardrail_deployments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.UniqueConstraint("organization_id", "kind", "name", name="uq_guardrail_deployments_organization_id_kind_name"),
    )
    op.create_index("ix_guardrail_deployments_organization_id", "guardrail_deployments", ["organization_id"])


def downgrade() -> None:
    op.drop_index("ix_guardrail_deployments_organization_id", "guardrail_deployments")
    op.drop_table("guardrail_deployments")
