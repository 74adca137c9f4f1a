"""The events ledger on the store: offences, responses, history, checkpoints.

Every write runs inside :func:`mamori.store.db.write_transaction`, so two watchers on one
store serialise and an (eventID, detection) is claimed exactly once. A claim records the
detection, its pending responses and its finding in one transaction: a kill at any point
leaves either all of them or none. A replay may share one transaction among many claims
(:meth:`EventStore.batched`): fewer commits, the same all-or-nothing per batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mamori.errors import StoreError
from mamori.events.ledger import Claim, FindingFor, Response, counting_rule
from mamori.events.matcher import Match
from mamori.events.responders.base import Intent, ResponseResult
from mamori.events.schema import ResponseMode
from mamori.events.scrub import bounded_copy, clean_text, fit
from mamori.events.tables import event_checkpoints, event_detections, event_responses, event_windows
from mamori.findings.rows import row_to_finding
from mamori.findings.tables import findings
from mamori.findings.upsert import upsert
from mamori.model.finding import Finding
from mamori.store.db import write_transaction

MAX_EVIDENCE_EVENTS = 50
BATCH_SECONDS = 1.0
"""A replay's shared transaction is committed at least this often: other writers wait for it."""


def _row_response(r: Any) -> Response:
    return Response(
        responder=r.responder,
        action=r.action,
        mode=ResponseMode(r.mode),
        intent=Intent.from_dict(r.plan),
        result=ResponseResult(r.result),
        error=r.error,
        output=dict(r.output or {}),
    )


@dataclass(frozen=True)
class HistoryFilter:
    principal: str | None = None
    detection: str | None = None
    since: datetime | None = None
    limit: int | None = 1000


def merge_finding(prev: Finding, f: Finding) -> Finding:
    """One finding from two raises of it: the earliest first_seen, the latest event's data, open."""
    newer = f if f.last_seen >= prev.last_seen else replace(prev, status=f.status, resolved_at=None)
    return replace(newer, first_seen=min(f.first_seen, prev.first_seen), last_seen=max(f.last_seen, prev.last_seen))


def _record_findings(conn: Connection, batch: Iterable[Finding], now: datetime) -> None:
    """Insert or refresh event findings, merged with what the store holds (see :func:`merge_finding`)."""
    items = {f.id: f for f in batch}
    stored: dict[str, Finding] = {}
    ids = list(items)
    for i in range(0, len(ids), 500):
        for row in conn.execute(select(findings).where(findings.c.id.in_(ids[i : i + 500]))):
            stored[row.id] = row_to_finding(row)
    merged = [merge_finding(stored[fid], f) if fid in stored else f for fid, f in items.items()]
    upsert(conn, merged, actor="events", now=now)
    for f in merged:  # the upsert keeps first_seen as first recorded: an earlier event moves it
        prev = stored.get(f.id)
        if prev is not None and f.first_seen < prev.first_seen:
            conn.execute(update(findings).where(findings.c.id == f.id).values(first_seen=f.first_seen))


class _Batch:
    """One write transaction at a time, renewed every ``every`` claims."""

    def __init__(self, engine: Engine, every: int) -> None:
        self.engine, self.every, self.n = engine, max(1, every), 0
        self.opened = 0.0
        self._cm: Any = None
        self._conn: Connection | None = None
        self.findings: dict[str, Finding] = {}
        """Findings of this transaction's claims, written in it just before it commits."""

    def add(self, f: Finding) -> None:
        prev = self.findings.get(f.id)
        self.findings[f.id] = f if prev is None else merge_finding(prev, f)

    def conn(self) -> Connection:
        if self._conn is None:
            self._cm = write_transaction(self.engine)
            self._conn = self._cm.__enter__()
            self.opened = time.monotonic()
        return self._conn

    def claimed(self) -> None:
        self.n += 1
        if self.n % self.every == 0:
            self.close(commit=True)
        else:
            self.tick()

    def tick(self) -> None:
        """Commit a transaction open longer than :data:`BATCH_SECONDS` (it holds the store's write lock)."""
        if self._conn is not None and time.monotonic() - self.opened > BATCH_SECONDS:
            self.close(commit=True)

    def close(self, *, commit: bool) -> None:
        cm, conn, self._cm, self._conn = self._cm, self._conn, None, None
        pending, self.findings = self.findings, {}
        if cm is None:
            return
        try:
            if commit and pending and conn is not None:
                _record_findings(conn, pending.values(), datetime.now(UTC))
        except BaseException as exc:
            cm.__exit__(type(exc), exc, exc.__traceback__)
            if isinstance(exc, SQLAlchemyError):
                raise StoreError(f"could not record the findings of a batch of detections: {exc}") from exc
            raise
        try:
            if commit:
                cm.__exit__(None, None, None)
            else:
                cm.__exit__(RuntimeError, RuntimeError("batch abandoned"), None)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not commit a batch of detections: {exc}") from exc


class EventStore:
    """Ledger, history and checkpoints over the store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._batch: _Batch | None = None

    @contextmanager
    def batched(self, every: int = 500) -> Iterator[Callable[[], None]]:
        """Claims and results share a transaction, committed every ``every`` claims and at the end.

        For replays, which never act: a kill loses at most the uncommitted batch, whole (its
        detections with their findings), and a rerun redoes it. Nothing is committed on an error.
        Yields ``tick()``: call it now and then; it commits a transaction open for over a second.
        """
        if self._batch is not None:
            yield self._batch.tick
            return
        self._batch = batch = _Batch(self.engine, every)
        try:
            yield batch.tick
            batch.close(commit=True)
        except BaseException:
            batch.close(commit=False)
            raise
        finally:
            self._batch = None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        if self._batch is None:
            with write_transaction(self.engine) as conn:
                yield conn
        else:
            yield self._batch.conn()

    # -- the ledger --------------------------------------------------------------

    def claim(self, match: Match, plan_for: Callable[[int], list[Response]], finding_for: FindingFor | None = None) -> Claim:
        """Claim (eventID, detection): detection, pending responses and finding commit together."""
        try:
            return self._claim(match, plan_for, finding_for)
        except IntegrityError:
            # Another process claimed it between our check and our insert: a duplicate.
            return self._claim(match, plan_for, finding_for)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record detection {match.detection.id} of event {match.event_id}: {exc}") from exc

    def _claim(self, match: Match, plan_for: Callable[[int], list[Response]], finding_for: FindingFor | None) -> Claim:
        now = datetime.now(UTC)
        with self._write() as conn:
            found = conn.execute(
                select(event_detections.c.offence).where(
                    event_detections.c.event_id == match.event_id, event_detections.c.detection_id == match.detection.id
                )
            ).first()
            if found is not None:
                rows = conn.execute(
                    select(event_responses)
                    .where(event_responses.c.event_id == match.event_id, event_responses.c.detection_id == match.detection.id)
                    .order_by(event_responses.c.id)
                )
                return Claim(True, int(found.offence), [_row_response(r) for r in rows])
            ids, hours = counting_rule(match)  # attempts count toward repeat offences too
            prior = conn.execute(
                select(func.count()).where(
                    and_(
                        event_detections.c.principal_arn == match.principal.arn,
                        event_detections.c.detection_id.in_(ids),
                        event_detections.c.event_time >= match.at - timedelta(hours=hours),
                        event_detections.c.event_time <= match.at,
                    )
                )
            ).scalar_one()
            offence = int(prior) + 1
            responses = plan_for(offence)
            finding = finding_for(offence) if finding_for is not None else None  # computed before any write
            p = match.principal
            conn.execute(
                insert(event_detections),
                {
                    "event_id": match.event_id, "detection_id": match.detection.id, "event_time": match.at,
                    "recorded_at": now, "principal_arn": p.arn, "principal_type": p.type.value,
                    "access_key_id": fit(p.access_key_id, 128), "account": fit(match.account, 40), "region": fit(match.region, 40),
                    "event_source": str(match.record.get("eventSource", "")), "event_name": str(match.record.get("eventName", "")),
                    "resource": match.resource, "severity": match.detection.spec.severity.value, "failed": match.failed,
                    "offence": offence, "finding_id": match.finding_id, "source": clean_text(match.source),
                    "related_events": bounded_copy(list(match.event_ids[-MAX_EVIDENCE_EVENTS:])), "evidence": match.evidence,
                },
            )  # fmt: skip
            if responses:
                conn.execute(
                    insert(event_responses),
                    [
                        {
                            "event_id": match.event_id, "detection_id": match.detection.id, "responder": r.responder,
                            "principal_arn": p.arn, "action": clean_text(r.action), "mode": r.mode.value,
                            "plan": bounded_copy(r.intent.to_dict()), "result": r.result.value, "error": clean_text(r.error),
                            "output": bounded_copy(r.output), "at": now,
                        }
                        for r in responses
                    ],
                )  # fmt: skip
            if finding is not None and self._batch is not None:
                self._batch.add(finding)
            elif finding is not None:
                _record_findings(conn, [finding], now)
        if self._batch is not None:
            self._batch.claimed()
        return Claim(False, offence, responses, finding_recorded=finding_for is not None)

    def finish(self, match: Match, response: Response) -> None:
        try:
            with self._write() as conn:
                conn.execute(
                    update(event_responses)
                    .where(
                        event_responses.c.event_id == match.event_id,
                        event_responses.c.detection_id == match.detection.id,
                        event_responses.c.responder == response.responder,
                    )
                    .values(
                        result=response.result.value, error=clean_text(response.error), output=bounded_copy(response.output),
                        at=datetime.now(UTC),
                    )
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the response {response.responder} to {match.event_id}: {exc}") from exc

    # -- history -----------------------------------------------------------------

    def history(self, flt: HistoryFilter | None = None) -> list[dict[str, Any]]:
        """Detections (newest first) with their responses."""
        flt = flt or HistoryFilter()
        q = select(event_detections)
        if flt.principal:
            q = q.where(event_detections.c.principal_arn == flt.principal)
        if flt.detection:
            q = q.where(event_detections.c.detection_id == flt.detection)
        if flt.since:
            q = q.where(event_detections.c.event_time >= flt.since)
        q = q.order_by(event_detections.c.event_time.desc(), event_detections.c.id.desc())
        if flt.limit:
            q = q.limit(flt.limit)
        with self.engine.connect() as conn:
            dets = [dict(r._mapping) for r in conn.execute(q)]
            keys = {(d["event_id"], d["detection_id"]) for d in dets}
            by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
            ev_ids = sorted({d["event_id"] for d in dets})
            for i in range(0, len(ev_ids), 500):
                rq = select(event_responses).where(event_responses.c.event_id.in_(ev_ids[i : i + 500])).order_by(event_responses.c.id)
                for r in conn.execute(rq):
                    k = (r.event_id, r.detection_id)
                    if k in keys:
                        by_key.setdefault(k, []).append(_row_response(r).to_dict() | {"at": r.at})
        for d in dets:
            d["responses"] = by_key.get((d["event_id"], d["detection_id"]), [])
        return dets

    def offence_counts(self, principal: str | None = None) -> list[dict[str, Any]]:
        """Per principal: offences (successful calls), attempts (failed calls), detections, first/last."""
        c = event_detections.c
        q = select(
            c.principal_arn, c.principal_type,
            func.count().label("detections"),
            func.min(c.event_time).label("first"), func.max(c.event_time).label("last"),
        ).group_by(c.principal_arn, c.principal_type)  # fmt: skip
        if principal:
            q = q.where(c.principal_arn == principal)
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                out[r.principal_arn] = {
                    "principal": r.principal_arn, "type": r.principal_type, "detections": int(r.detections),
                    "offences": 0, "attempts": 0, "by_detection": {}, "first": r.first, "last": r.last,
                }  # fmt: skip
            q2 = select(c.principal_arn, c.detection_id, c.failed, func.count().label("n")).group_by(c.principal_arn, c.detection_id, c.failed)
            if principal:
                q2 = q2.where(c.principal_arn == principal)
            for r in conn.execute(q2):
                o = out[r.principal_arn]
                o["attempts" if r.failed else "offences"] += int(r.n)
                o["by_detection"][r.detection_id] = o["by_detection"].get(r.detection_id, 0) + int(r.n)
        return sorted(out.values(), key=lambda o: (-o["offences"], -o["detections"], o["principal"]))

    # -- threshold windows (they survive a restart) ------------------------------------

    def save_windows(self, rows: list[tuple[str, str, list[Any]]]) -> None:
        """Upsert the given windows ((detection, key JSON, items)); an empty window is deleted."""
        if not rows:
            return
        import hashlib

        now = datetime.now(UTC)
        try:
            with self._write() as conn:
                for did, key, items in rows:
                    h = hashlib.sha256(key.encode()).hexdigest()
                    conn.execute(delete(event_windows).where(event_windows.c.detection_id == did, event_windows.c.key_hash == h))
                    if items:
                        newest = max(datetime.fromisoformat(t) for t, _, _ in items)
                        conn.execute(insert(event_windows), {"detection_id": did, "key_hash": h, "key": key,
                                                             "items": bounded_copy(items), "newest": newest, "updated_at": now})  # fmt: skip
        except SQLAlchemyError as exc:
            raise StoreError(f"could not save the threshold windows: {exc}") from exc

    def load_windows(self, newer_than: datetime | None = None) -> list[tuple[str, str, list[Any]]]:
        """The saved windows (those with an event after ``newer_than``, when given)."""
        q = select(event_windows)
        if newer_than is not None:
            q = q.where(event_windows.c.newest >= newer_than)
        with self.engine.connect() as conn:
            return [(r.detection_id, r.key, list(r.items or [])) for r in conn.execute(q)]

    # -- checkpoints -------------------------------------------------------------

    def processed_keys(self, source: str) -> set[str]:
        with self.engine.connect() as conn:
            return {r.key for r in conn.execute(select(event_checkpoints.c.key).where(event_checkpoints.c.source == source))}

    def mark_processed(self, source: str, key: str, records: int = 0, malformed: int = 0) -> None:
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(delete(event_checkpoints).where(event_checkpoints.c.source == source, event_checkpoints.c.key == key))
                conn.execute(
                    insert(event_checkpoints),
                    {"source": source, "key": key, "processed_at": datetime.now(UTC), "records": records, "malformed": malformed},
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record checkpoint {source} {key}: {exc}") from exc

    def responses_for(self, event_ids: Iterable[str]) -> list[dict[str, Any]]:
        ids = list(event_ids)
        with self.engine.connect() as conn:
            rows = conn.execute(select(event_responses).where(event_responses.c.event_id.in_(ids)).order_by(event_responses.c.id))
            return [dict(r._mapping) for r in rows]
