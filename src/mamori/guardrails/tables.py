"""Tables of the preventive guardrails.

``guardrail_deployments``  what mamori last deployed in an organization, one row per item:
                           an SCP (its content and the targets it is attached to), the
                           StackSet (template hash, parameters), one row per stack instance
                           (account, Region) and per EventBridge rule it created. `mamori
                           guardrails drift` compares the live organization with these rows.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from mamori.store.base import JSONType, UTCDateTime, metadata

guardrail_deployments = Table(
    "guardrail_deployments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organization_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("ref", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("details", JSONType, nullable=False),
    Column("deployed_at", UTCDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    UniqueConstraint("organization_id", "kind", "name", name="uq_guardrail_deployments_organization_id_kind_name"),
    Index("ix_guardrail_deployments_organization_id", "organization_id"),
)
