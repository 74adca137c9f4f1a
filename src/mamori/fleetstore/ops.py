"""Scans in flight and their shards: create, store a shard (idempotent), lease the finaliser.

The finaliser holds a lease on the scan (owner, expiry), renewed while it works; a finaliser
killed mid-record stops renewing, and once the lease lapses another one (a redelivered
finaliser task, the waiting `scan --broker`, or the next `scan --broker`) takes it over.
:func:`mark_recorded` runs inside the transaction that records the scan and fails unless the
caller still holds the lease and nothing is recorded yet: the lifecycle is applied once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update
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
    lease_owner: str | None = None
    lease_until: datetime | None = None

    def lease_lapsed(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until < now


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
                     dict(row.result) if row.result is not None else None, row.error, row.lease_owner,
                     row.lease_until)  # fmt: skip


def scan_state(engine: Engine, fleet_id: str) -> str | None:
    """The scan's state alone (None: no such scan): what a waiting scan polls and what a shard
    checks before it runs, without reading and parsing the plan (~420 KB of JSON at 18,000
    shards) and the result."""
    with engine.connect() as conn:
        state = conn.execute(select(fleet_scans.c.state).where(fleet_scans.c.id == fleet_id)).scalar_one_or_none()
    return str(state) if state is not None else None


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


class LeaseLost(StoreError):
    """The finaliser's lease lapsed and another finaliser took the scan (or recorded it)."""


def claim_finalise(engine: Engine, fleet_id: str, owner: str, *, ttl_s: float, now: datetime | None = None) -> bool:
    """Take the finaliser's lease: of a running scan, or of a finalising one whose lease lapsed
    (its finaliser died); True for exactly one caller at a time."""
    now = now or datetime.now(UTC)
    lapsed = and_(fleet_scans.c.state == FINALISING, or_(fleet_scans.c.lease_until.is_(None), fleet_scans.c.lease_until < now))
    try:
        with write_transaction(engine) as conn:
            res = conn.execute(
                update(fleet_scans)
                .where(fleet_scans.c.id == fleet_id, or_(fleet_scans.c.state == RUNNING, lapsed))
                .values(state=FINALISING, lease_owner=owner[:64], lease_until=now + timedelta(seconds=ttl_s))
            )
            return bool(res.rowcount == 1)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not claim the finaliser of {fleet_id}: {exc}") from exc


def renew_lease(engine: Engine, fleet_id: str, owner: str, *, ttl_s: float, now: datetime | None = None) -> bool:
    """Extend the lease of its holder; False when it is no longer held by ``owner``."""
    now = now or datetime.now(UTC)
    with write_transaction(engine) as conn:
        res = conn.execute(
            update(fleet_scans)
            .where(fleet_scans.c.id == fleet_id, fleet_scans.c.state == FINALISING, fleet_scans.c.lease_owner == owner[:64])
            .values(lease_until=now + timedelta(seconds=ttl_s))
        )
        return bool(res.rowcount == 1)


def release_finalise(engine: Engine, fleet_id: str, owner: str) -> None:
    """A finaliser that failed with an error gives the lease back (the next finaliser claims it at once)."""
    with write_transaction(engine) as conn:
        conn.execute(
            update(fleet_scans)
            .where(fleet_scans.c.id == fleet_id, fleet_scans.c.state == FINALISING, fleet_scans.c.lease_owner == owner[:64])
            .values(lease_owner=None, lease_until=None)
        )


def mark_recorded(conn: Connection, fleet_id: str, owner: str, scan_id: str, summary: Mapping[str, Any]) -> None:
    """In the transaction that records the scan: note the recorded scan, or raise :class:`LeaseLost`
    (rolling the recording back) when the lease is no longer ``owner``'s or a scan is recorded already."""
    res = conn.execute(
        update(fleet_scans)
        .where(fleet_scans.c.id == fleet_id, fleet_scans.c.state == FINALISING, fleet_scans.c.lease_owner == owner[:64],
               fleet_scans.c.scan_id.is_(None))
        .values(scan_id=scan_id, result={"summary": dict(summary)})
    )  # fmt: skip
    if res.rowcount != 1:
        raise LeaseLost(f"distributed scan {fleet_id}: the finaliser's lease was lost or the scan is recorded already")


def unfinished(engine: Engine, *, now: datetime | None = None) -> list[str]:
    """Scans nobody is finalising: running, or finalising with a lapsed lease (by start time)."""
    now = now or datetime.now(UTC)
    lapsed = and_(fleet_scans.c.state == FINALISING, or_(fleet_scans.c.lease_until.is_(None), fleet_scans.c.lease_until < now))
    with engine.connect() as conn:
        rows = conn.execute(
            select(fleet_scans.c.id).where(or_(fleet_scans.c.state == RUNNING, lapsed)).order_by(fleet_scans.c.started_at)
        ).all()
    return [str(r.id) for r in rows]


def finish_scan(
    engine: Engine, fleet_id: str, *, state: str, scan_id: str | None, result: Mapping[str, Any] | None,
    error: str | None = None, now: datetime | None = None, owner: str | None = None,
) -> bool:  # fmt: skip
    """Close the scan; with ``owner``, only while that finaliser holds the lease (False otherwise)."""
    cond = [fleet_scans.c.id == fleet_id]
    if owner is not None:
        cond += [fleet_scans.c.state == FINALISING, fleet_scans.c.lease_owner == owner[:64]]
    with write_transaction(engine) as conn:
        res = conn.execute(
            update(fleet_scans)
            .where(*cond)
            .values(state=state, scan_id=scan_id, result=dict(result) if result is not None else None, error=error,
                    finished_at=now or datetime.now(UTC), lease_owner=None, lease_until=None)
        )  # fmt: skip
        return bool(res.rowcount == 1)
