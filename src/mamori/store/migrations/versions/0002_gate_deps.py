"""Dependency gate: pipeline runs and vulnerabilities seen per project.

Revision ID: 0002_gate_deps
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0002_gate_deps"
down_revision = "0001_initial"
branch_labels = ("gate_deps",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gate_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("commit", sa.String(64), nullable=True),
        sa.Column("blocked", sa.Boolean, nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=False),
        sa.Column("counts", JSONType, nullable=False),
        sa.Column("reasons", JSONType, nullable=False),
    )
    op.create_index("ix_gate_runs_team_at", "gate_runs", ["team", "at"])
    op.create_index("ix_gate_runs_project_at", "gate_runs", ["project", "at"])
    op.create_table(
        "gate_vulns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("team", sa.String(200), nullable=False),
        sa.Column("ecosystem", sa.String(40), nullable=False),
        sa.Column("package", sa.String(400), nullable=False),
        sa.Column("vuln_id", sa.String(100), nullable=False),
        sa.Column("aliases", JSONType, nullable=False),
        sa.Column("severity", sa.String(16), nullable=True),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("fixed_at", UTCDateTime(), nullable=True),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("last_run_id", sa.String(36), nullable=True),
        sa.UniqueConstraint(
            "project",
            "ecosystem",
            "package",
            "vuln_id",
            name="uq_gate_vulns_project_ecosystem_package_vuln_id",
        ),
    )
    op.create_index("ix_gate_vulns_team", "gate_vulns", ["team"])


def downgrade() -> None:
    op.drop_table("gate_vulns")
    op.drop_table("gate_runs")
