"""Table of the access-key lifecycle.

``key_notices``  one row per (account, access key, lifecycle stage) notified, so a daily
                 ``mamori keys enforce`` never notifies the same stage twice.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text, UniqueConstraint

from mamori.store.base import JSONType, UTCDateTime, metadata

key_notices = Table(
    "key_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(40), nullable=False),
    Column("access_key_id", String(128), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("recipients", JSONType, nullable=False),
    Column("outcome", Text, nullable=False),
    UniqueConstraint("account", "access_key_id", "stage"),
)
