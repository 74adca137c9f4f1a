"""Tables of just-in-time access.

``access_requests``      one row per request: who, which accounts and permission set, how long,
                         why (reason + ticket or finding), its status, the approvals it got, the
                         policy it was held to, and (break-glass) the after-the-fact review
``access_grants``        one row per (request, account) once granted: the window, the identity
                         resolved, and what happened to the assignment at its end
``access_runbooks``      reviewed runbooks: the file's text and SHA-256 as added, and the hash
                         a reviewer approved (a run needs the two to match)
``access_runbook_runs``  every run: the runbook hash run, under which request, each step's
                         plan, apply and verification
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

requests = Table(
    "access_requests",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("kind", String(16), nullable=False),  # request | break_glass
    Column("requester", String(200), nullable=False),
    Column("accounts", JSONType, nullable=False),
    Column("permission_set", String(200), nullable=False),
    Column("duration_s", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("ticket", String(200), nullable=True),
    Column("finding_id", String(200), nullable=True),
    Column("status", String(16), nullable=False),
    Column("approvers", JSONType, nullable=False),  # who may approve (the policy at request time)
    Column("approvals_required", Integer, nullable=False),
    Column("approvals", JSONType, nullable=False),  # [{by, at}]
    Column("decided_by", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=True),
    Column("ends_at", UTCDateTime(), nullable=True),
    Column("review", String(16), nullable=True),  # break-glass: open | closed
    Column("review_note", Text, nullable=True),
    Column("mode", String(32), nullable=False),
    Index("ix_access_requests_status", "status"),
    Index("ix_access_requests_requester", "requester"),
)

grants = Table(
    "access_grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(16), ForeignKey("access_requests.id", ondelete="CASCADE"), nullable=False),
    Column("account", String(40), nullable=False),
    Column("permission_set", String(200), nullable=False),
    Column("principal", String(200), nullable=False),
    Column("principal_id", String(200), nullable=True),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("state", String(16), nullable=False),  # active | ended
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("end_reason", String(32), nullable=True),  # revoked | expired
    Column("assignment", String(32), nullable=False),  # created | existed | deleted | kept
    Column("details", JSONType, nullable=False),
    Index("ix_access_grants_request_id", "request_id"),
    Index("ix_access_grants_state", "state"),
)

runbooks = Table(
    "access_runbooks",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("description", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("approved_by", String(200), nullable=True),
    Column("approved_sha256", String(64), nullable=True),
    Column("approved_at", UTCDateTime(), nullable=True),
    Column("added_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

runbook_runs = Table(
    "access_runbook_runs",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("runbook", String(100), nullable=False),
    Column("request_id", String(16), ForeignKey("access_requests.id", ondelete="CASCADE"), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("status", String(16), nullable=False),  # running | succeeded | failed | planned
    Column("steps", JSONType, nullable=False),
    Index("ix_access_runbook_runs_request_id", "request_id"),
)
