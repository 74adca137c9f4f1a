"""Tables of the dependency gate (``mamori gate deps``): pipeline runs and vulnerabilities seen per project.

``gate_runs``   one row per pipeline decision: project, team, commit, blocked or not, counts
                per verdict, and every non-passing package with its reason.
``gate_vulns``  one row per (project, ecosystem, package, vulnerability): when it was first
                seen (the fix-by clock), last seen, fixed (no longer present), its deadline.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, String, Table, UniqueConstraint

from mamori.store.base import JSONType, UTCDateTime, metadata

gate_runs = Table(
    "gate_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("project", String(200), nullable=False),
    Column("team", String(200), nullable=False),
    Column("commit", String(64), nullable=True),
    Column("blocked", Boolean, nullable=False),
    Column("exit_code", Integer, nullable=False),
    Column("counts", JSONType, nullable=False),
    Column("reasons", JSONType, nullable=False),
    Index("ix_gate_runs_team_at", "team", "at"),
    Index("ix_gate_runs_project_at", "project", "at"),
)

gate_vulns = Table(
    "gate_vulns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(200), nullable=False),
    Column("team", String(200), nullable=False),
    Column("ecosystem", String(40), nullable=False),
    Column("package", String(400), nullable=False),
    Column("vuln_id", String(100), nullable=False),
    Column("aliases", JSONType, nullable=False),
    Column("severity", String(16), nullable=True),
    Column("version", String(200), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("fixed_at", UTCDateTime(), nullable=True),
    Column("deadline", Date, nullable=True),
    Column("last_run_id", String(36), nullable=True),
    UniqueConstraint("project", "ecosystem", "package", "vuln_id"),
    Index("ix_gate_vulns_team", "team"),
)
