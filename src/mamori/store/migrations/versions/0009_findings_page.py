"""Findings pages: a severity rank, an assigned owner, keyset indexes; an index on suppression origins.

``severity_rank`` is generated from ``severity`` by the database (critical 4 ... informational 0),
so every writer keeps it right without knowing it exists. The indexes serve the server's
findings pages, ordered worst first then by id, filtered by status, account or rule, with a
keyset cursor (``(severity_rank, id) < (r, i)``): they replace the single-column indexes on
status, rule and account, which they start with.

Revision ID: 0009_findings_page
Revises: 0004_hub
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_findings_page"
down_revision = "0004_hub"
branch_labels = None
depends_on = None

# the same text as mamori.findings.tables.SEVERITY_RANK_SQL (the store layer cannot import findings)
SEVERITY_RANK_SQL = (
    "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END"
)
_KEYSET = (
    ("ix_findings_severity_rank_id", ["severity_rank", "id"]),
    ("ix_findings_status_severity_rank_id", ["status", "severity_rank", "id"]),
    ("ix_findings_account_severity_rank_id", ["account", "severity_rank", "id"]),
    ("ix_findings_rule_id_severity_rank_id", ["rule_id", "severity_rank", "id"]),
)
_OLD = (("ix_findings_status", ["status"]), ("ix_findings_rule_id", ["rule_id"]), ("ix_findings_account", ["account"]))


def upgrade() -> None:
    # SQLite can add only a VIRTUAL generated column; PostgreSQL (< 18) only a STORED one.
    stored = op.get_bind().dialect.name != "sqlite"
    op.add_column("findings", sa.Column("severity_rank", sa.Integer, sa.Computed(SEVERITY_RANK_SQL, persisted=stored)))
    op.add_column("findings", sa.Column("owner", sa.String(200), nullable=True))
    for name, _cols in _OLD:
        op.drop_index(name, table_name="findings")
    for name, cols in _KEYSET:
        op.create_index(name, "findings", cols)
    op.create_index("ix_hub_suppressions_origin", "hub_suppressions", ["origin"])


def downgrade() -> None:
    op.drop_index("ix_hub_suppressions_origin", table_name="hub_suppressions")
    for name, _cols in _KEYSET:
        op.drop_index(name, table_name="findings")
    for name, cols in _OLD:
        op.create_index(name, "findings", cols)
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("owner")
        batch.drop_column("severity_rank")
