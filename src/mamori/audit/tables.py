"""Table of the audit log.

``audit_log``         append-only, hash-chained record of every plan, apply, rollback, exemption,
                      attestation and notification (:mod:`mamori.audit.log`). ``seq`` is assigned
                      1, 2, 3, ... under the store's write lock, so the chain cannot fork.
``audit_checkpoint``  the newest entry's seq and hash (HMAC'd with ``$MAMORI_AUDIT_KEY`` when set).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(80), nullable=False),
    Column("subject", Text, nullable=False),
    Column("details", JSONType, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_action", "action"),
    Index("ix_audit_log_at", "at"),
)

# The newest entry's (seq, hash), rewritten in the transaction that appends an entry, so
# `verify` notices a log cut short or rewritten without being told the head
# (:mod:`mamori.audit.checkpoint`). ``mac`` is an HMAC-SHA256 of ``seq:hash`` under
# ``$MAMORI_AUDIT_KEY`` when that is set: without the key, the checkpoint cannot be forged.
audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: one row
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("mac", String(64), nullable=True),
)
