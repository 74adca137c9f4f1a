"""Tables of distributed scans (`mamori scan --broker`, docs/distributed.md).

``fleet_scans``   one row per distributed scan: its plan (shards, rules, parameters), its state
                  (running -> finalising -> done | failed), the finaliser's lease (owner and
                  expiry: a finaliser that died is taken over once it lapses) and, once recorded,
                  the recorded scan id and the lifecycle summary
``fleet_shards``  one row per reported shard, keyed by (scan id, shard id): a shard id is
                  ``<account>/<region>`` or ``<account>/global``. Storing a shard again (a
                  redelivered task) replaces the row: results only (evaluation results, UNKNOWN
                  scopes, the resources cross-scope rules read, API call and throttle counts),
                  never the inventory
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

fleet_scans = Table(
    "fleet_scans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("shards", Integer, nullable=False),
    Column("plan", JSONType, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("scan_id", String(36), nullable=True),
    Column("result", JSONType, nullable=True),
    Column("error", Text, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
)

fleet_shards = Table(
    "fleet_shards",
    metadata,
    Column("scan_id", String(36), primary_key=True),
    Column("shard", String(120), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("stored_at", UTCDateTime(), nullable=False),
    Index("ix_fleet_shards_scan_id_status", "scan_id", "status"),
)
