"""Standards: per-scan rule counts and coverage, attestations.

Revision ID: 0006_standards
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0006_standards"
down_revision = "0001_initial"
branch_labels = ("standards",)
depends_on = None


def _scan_fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey("scans.id", ondelete="CASCADE", name=f"fk_{table}_scan_id_scans")


def upgrade() -> None:
    op.create_table(
        "std_scan_rules",
        sa.Column("scan_id", sa.String(36), _scan_fk("std_scan_rules"), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("controls", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("scan_id", "rule_id", name="pk_std_scan_rules"),
    )
    op.create_table(
        "std_rule_counts",
        sa.Column("scan_id", sa.String(36), _scan_fk("std_rule_counts"), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("unknown", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("scan_id", "rule_id", "account", name="pk_std_rule_counts"),
    )
    op.create_table(
        "std_coverage",
        sa.Column("scan_id", sa.String(36), _scan_fk("std_coverage"), nullable=False),
        sa.Column("standard", sa.String(40), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("controls", sa.Integer, nullable=False),
        sa.Column("machine", sa.Integer, nullable=False),
        sa.Column("attested", sa.Integer, nullable=False),
        sa.Column("not_covered", sa.Integer, nullable=False),
        sa.Column("passing", sa.Integer, nullable=False),
        sa.Column("failing", sa.Integer, nullable=False),
        sa.Column("unknown", sa.Integer, nullable=False),
        sa.Column("no_resources", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("scan_id", "standard", "account", "category", name="pk_std_coverage"),
    )
    op.create_index("ix_std_coverage_standard_account_category_at", "std_coverage", ["standard", "account", "category", "at"])
    op.create_table(
        "std_attestations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("standard", sa.String(40), nullable=False),
        sa.Column("control", sa.String(40), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("attested_by", sa.String(200), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(200), nullable=True),
        sa.Column("revoke_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_std_attestations"),
    )
    op.create_index("ix_std_attestations_standard_control", "std_attestations", ["standard", "control"])


def downgrade() -> None:
    op.drop_table("std_attestations")
    op.drop_table("std_coverage")
    op.drop_table("std_rule_counts")
    op.drop_table("std_scan_rules")
