"""Indexes for the overview (the server's Overview page, ``mamori report html``).

``ix_findings_overview`` (status, account, severity, resource_type, rule_id, first_seen) lets
every count of open findings (by severity, account, service, rule, past the SLA) read the
index only, not the wide findings rows (evidence, ARN, title). ``ix_scores_overview``
(category, account, standard, at, scan_id) serves the latest score and the trend of each
account and the scans that scored a set of accounts.

Revision ID: 0010_overview
Revises: 0001_initial
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0010_overview"
down_revision = "0001_initial"
branch_labels = ("overview",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_findings_overview", "findings", ["status", "account", "severity", "resource_type", "rule_id", "first_seen"])
    op.create_index("ix_scores_overview", "scores", ["category", "account", "standard", "at", "scan_id"])


def downgrade() -> None:
    op.drop_index("ix_scores_overview", table_name="scores")
    op.drop_index("ix_findings_overview", table_name="findings")
