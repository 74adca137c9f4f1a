"""Tables of the security engagements.

``engage_engagements``   one row per application: its team, the latest answers, who answered when
``engage_tasks``         one row per (application, template) ever applicable: the task's text
                         and controls as last generated, owner, due date, status (open /
                         verified / attested / not_applicable), the rules that verify it, the
                         attestation that closes it, the Jira issue it is synced to. Rows are
                         never deleted; a task that no longer applies is ``not_applicable``.
``engage_app_accounts``  the accounts in which resources tagged with the app were seen by the
                         scans (kept per scanned account): who may see an app's tasks on the server
``engage_task_history``  every status change of a task: when, from, to, who, why, in which scan
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

engagements = Table(
    "engage_engagements",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("app", String(100), nullable=False, unique=True),
    Column("team", String(100), nullable=False),
    Column("answers", JSONType, nullable=False),
    Column("answered_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_engage_engagements_team", "team"),
)

app_accounts = Table(
    "engage_app_accounts",
    metadata,
    Column(
        "engagement_id", String(16), ForeignKey("engage_engagements.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("account", String(40), primary_key=True),
    Index("ix_engage_app_accounts_account", "account"),
)

tasks = Table(
    "engage_tasks",
    metadata,
    Column("id", String(16), primary_key=True),
    Column(
        "engagement_id", String(16), ForeignKey("engage_engagements.id", ondelete="CASCADE"), nullable=False
    ),
    Column("app", String(100), nullable=False),
    Column("team", String(100), nullable=False),
    Column("template", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("why", Text, nullable=False),
    Column("how", Text, nullable=False),
    Column("controls", JSONType, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("due", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_note", Text, nullable=False),
    Column("verify", JSONType, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("times_reopened", Integer, nullable=False),
    Column("attested_by", String(200), nullable=True),
    Column("attest_evidence", Text, nullable=True),
    Column("attest_expires_at", UTCDateTime(), nullable=True),
    Column("jira_key", String(64), nullable=True),
    Index("ix_engage_tasks_engagement_id", "engagement_id"),
    Index("ix_engage_tasks_team", "team"),
    Index("ix_engage_tasks_status", "status"),
)

task_history = Table(
    "engage_task_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(16), ForeignKey("engage_tasks.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("scan_id", String(36), nullable=True),
    Index("ix_engage_task_history_task_id", "task_id"),
)
