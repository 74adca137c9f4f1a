"""Scans in flight and their shards: create, store a shard (idempotent), claim the finaliser once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.fleetstore.tables import fleet_scans, fleet_shards
from mamori.store.db import write_transaction

RUNNING, FINALISING, DONE, FAILED = "running", "finalising", "done", "failed"


@dataclass(frozen=True)
class FleetScan:
    id: str
    state: str
    shards: int
    plan: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
    scan_id: str | None
    result: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class Progress:
    planned: int
    ok: int
    failed: int

    @property
    def reported(self) -> int:
        return self.ok + self.failed

    @property
    def complete(self) -> bool:
        return self.reported >= self.planned


def create_scan(engine: Engine, fleet_id: str, plan: Mapping[str, Any], shards: int, *, now: datetime | None = None) -> None:
    try:
        with write_transaction(engine) as conn:
            conn.execute(
                insert(fleet_scans),
                {"id": fleet_id, "state": RUNNING, "shards": shards, "plan": dict(plan),
                 "started_at": now or datetime.now(UTC), "finished_at": None, "scan_id": None, "result": None, "error": None},
            )  # fmt: skip
    except SQLAlchemyError as exc:
        raise StoreError(f"could not record the distributed scan: {exc}") from exc


def get_scan(engine: Engine, fleet_id: str) -> FleetScan | None:
    with engine.connect() as conn:
        row = conn.execute(select(fleet_scans).where(fleet_scans.c.id == fleet_id)).first()
    if row is None:
        return None
    return FleetScan(row.id, row.state, row.shards, dict(row.plan), row.started_at, row.finished_at, row.scan_id,
                     dict(row.result) if row.result is not None else None, row.error)  # fmt: skip


def store_shard(
    engine: Engine, fleet_id: str, shard: str, status: str, attempts: int, payload: Mapping[str, Any],
    *, now: datetime | None = None,
) -> None:  # fmt: skip
    """Store (or replace) one shard's result: a redelivered shard stores the same row again, harmlessly."""
    try:
        with write_transaction(engine) as conn:
            conn.execute(delete(fleet_shards).where(fleet_shards.c.scan_id == fleet_id, fleet_shards.c.shard == shard))
            conn.execute(
                insert(fleet_shards),
                {"scan_id": fleet_id, "shard": shard, "status": status, "attempts": attempts,
                 "payload": dict(payload), "stored_at": now or datetime.now(UTC)},
            )  # fmt: skip
    except SQLAlchemyError as exc:
        raise StoreError(f"could not store shard {shard} of {fleet_id}: {exc}") from exc


def progress(engine: Engine, fleet_id: str) -> Progress:
    with engine.connect() as conn:
        planned = conn.execute(select(fleet_scans.c.shards).where(fleet_scans.c.id == fleet_id)).scalar_one_or_none()
        rows = conn.execute(
            select(fleet_shards.c.status, func.count()).where(fleet_shards.c.scan_id == fleet_id).group_by(fleet_shards.c.status)
        ).all()
    counts = {str(s): int(n) for s, n in rows}
    return Progress(int(planned or 0), counts.get("ok", 0), counts.get("failed", 0))


def shard_payloads(engine: Engine, fleet_id: str) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(shard, status, attempts, payload) of every stored shard, by shard id."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(fleet_shards.c.shard, fleet_shards.c.status, fleet_shards.c.attempts, fleet_shards.c.payload)
            .where(fleet_shards.c.scan_id == fleet_id)
            .order_by(fleet_shards.c.shard)
        ).all()
    return [(r.shard, r.status, r.attempts, dict(r.payload)) for r in rows]


def claim_finalise(engine: Engine, fleet_id: str) -> bool:
    """Move a complete scan from running to finalising; True for exactly one caller."""
    try:
        with write_transaction(engine) as conn:
            res = conn.execute(
                update(fleet_scans).where(fleet_scans.c.id == fleet_id, fleet_scans.c.state == RUNNING).values(state=FINALISING)
            )
            return bool(res.rowcount == 1)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not claim the finaliser of {fleet_id}: {exc}") from exc


def release_finalise(engine: Engine, fleet_id: str) -> None:
    """A finaliser that crashed gives the scan back (a redelivered finaliser claims it again)."""
    with write_transaction(engine) as conn:
        conn.execute(
            update(fleet_scans).where(fleet_scans.c.id == fleet_id, fleet_scans.c.state == FINALISING).values(state=RUNNING)
        )


def finish_scan(
    engine: Engine, fleet_id: str, *, state: str, scan_id: str | None, result: Mapping[str, Any] | None,
    error: str | None = None, now: datetime | None = None,
) -> None:  # fmt: skip
    with write_transaction(engine) as conn:
        conn.execute(
            update(fleet_scans)
            .where(fleet_scans.c.id == fleet_id)
            .values(state=state, scan_id=scan_id, result=dict(result) if result is not None else None, error=error,
                    finished_at=now or datetime.now(UTC))
        )  # fmt: skip
