"""What mamori last deployed in an organization (``guardrail_deployments``), read and replaced."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.guardrails.tables import guardrail_deployments as t
from mamori.store.db import write_transaction


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Deployed:
    """One deployed item. ``kind``: scp | stackset | stack_instance | rule | central_stack."""

    kind: str
    name: str
    ref: str
    content_hash: str
    details: dict[str, Any] = field(default_factory=dict, hash=False)


def save(engine: Engine, organization_id: str, items: list[Deployed], actor: str) -> None:
    """Replace the organization's record with ``items`` (what is deployed now)."""
    now = datetime.now(UTC)
    try:
        with write_transaction(engine) as conn:
            conn.execute(delete(t).where(t.c.organization_id == organization_id))
            if items:
                conn.execute(t.insert(), [
                    {"organization_id": organization_id, "kind": i.kind, "name": i.name, "ref": i.ref,
                     "content_hash": i.content_hash, "details": i.details, "deployed_at": now, "actor": actor}
                    for i in items
                ])  # fmt: skip
    except SQLAlchemyError as exc:
        raise StoreError(f"could not record the deployed guardrails: {exc}") from exc


def load(engine: Engine, organization_id: str) -> list[Deployed]:
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.organization_id == organization_id).order_by(t.c.id)).all()
    except SQLAlchemyError as exc:
        raise StoreError(f"could not read the deployed guardrails: {exc}") from exc
    return [Deployed(r.kind, r.name, r.ref, r.content_hash, dict(r.details or {})) for r in rows]
