"""Tables of event-driven response (``mamori events``).

``event_detections``  one row per (eventID, detection) that fired: the offence record —
                      who (normalised principal), what, when, where, the finding it raised
                      and the offence number of that principal within the window.
``event_responses``   one row per (eventID, detection, responder): action, mode, the plan
                      (the API calls), result, error, when. Claimed as ``pending`` before
                      acting, so a duplicate delivery never responds twice.
``event_checkpoints`` the objects a watcher has processed, per source (``s3://bucket/prefix``).
``event_windows``     the open threshold windows (events counted toward a burst), saved after
                      each batch so that a restart goes on counting where it stopped.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from mamori.store.base import JSONType, UTCDateTime, metadata

event_detections = Table(
    "event_detections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False),
    Column("detection_id", String(120), nullable=False),
    Column("event_time", UTCDateTime(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("principal_arn", Text, nullable=False),
    Column("principal_type", String(40), nullable=False),
    Column("access_key_id", String(128), nullable=False),
    Column("account", String(40), nullable=False),
    Column("region", String(40), nullable=False),
    Column("event_source", String(120), nullable=False),
    Column("event_name", String(120), nullable=False),
    Column("resource", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("failed", Boolean, nullable=False),
    Column("offence", Integer, nullable=False),
    Column("finding_id", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("related_events", JSONType, nullable=False),
    Column("evidence", JSONType, nullable=False),
    UniqueConstraint("event_id", "detection_id"),
    Index("ix_event_detections_principal_arn_event_time", "principal_arn", "event_time"),
    Index("ix_event_detections_detection_id", "detection_id"),
)

event_responses = Table(
    "event_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False),
    Column("detection_id", String(120), nullable=False),
    Column("responder", String(60), nullable=False),
    Column("principal_arn", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("plan", JSONType, nullable=False),
    Column("result", String(16), nullable=False),
    Column("error", Text, nullable=False),
    Column("output", JSONType, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("event_id", "detection_id", "responder"),
    Index("ix_event_responses_principal_arn", "principal_arn"),
)

event_checkpoints = Table(
    "event_checkpoints",
    metadata,
    Column("source", String(512), primary_key=True),
    Column("key", String(1024), primary_key=True),
    Column("processed_at", UTCDateTime(), nullable=False),
    Column("records", Integer, nullable=False),
    Column("malformed", Integer, nullable=False),
)

event_windows = Table(
    "event_windows",
    metadata,
    Column("detection_id", String(120), primary_key=True),
    Column("key_hash", String(64), primary_key=True),
    Column("key", Text, nullable=False),
    Column("items", JSONType, nullable=False),
    Column("newest", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)
