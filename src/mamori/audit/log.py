"""The append-only, hash-chained audit log.

Every entry stores the hash of the entry before it and its own hash over its canonical
JSON (sorted keys, UTC timestamps with microseconds, details normalised to JSON)::

    hash(n) = sha256(canonical({seq, at, actor, action, subject, details, prev_hash: hash(n-1)}))

``seq`` runs 1, 2, 3, ... and is assigned while holding the store's write lock (SQLite
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), and is the primary key: concurrent
writers queue instead of forking the chain. :func:`verify` recomputes the chain and
reports every edited entry (its hash no longer matches), deleted entry (a gap in
``seq``, a broken ``prev_hash`` link) or reordered entry. Deleting the *newest* entries
leaves a shorter chain that is still consistent: every append therefore also moves a
stored checkpoint to the new head (:mod:`mamori.audit.checkpoint`, HMAC'd under
``$MAMORI_AUDIT_KEY`` when set), and :func:`verify` compares the chain with it. Pinning the
head elsewhere (``expect_head``) still works, e.g. for exports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from mamori.audit import checkpoint as cpoint
from mamori.audit.tables import audit_log
from mamori.errors import InputError, StoreError
from mamori.store.db import write_transaction

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": _iso(self.at),
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": dict(self.details),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        return cls(
            seq=int(data["seq"]),
            at=datetime.fromisoformat(str(data["at"])),
            actor=str(data["actor"]),
            action=str(data["action"]),
            subject=str(data["subject"]),
            details=dict(data.get("details") or {}),
            prev_hash=str(data["prev_hash"]),
            hash=str(data["hash"]),
        )


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # "edited" | "missing" | "broken-link" | "head-mismatch" | "truncated" | "rewritten" | "checkpoint-*"
    message: str


@dataclass(frozen=True)
class VerifyReport:
    entries: int
    head_seq: int
    head_hash: str
    problems: list[Problem] = field(default_factory=list)
    guarantee: str = cpoint.CHAIN_ONLY  # which of the checkpoint module's guarantees applied

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def head(self) -> str:
        """``SEQ:HASH`` of the newest entry: pin it elsewhere, pass it back as ``expect_head``."""
        return f"{self.head_seq}:{self.head_hash}"


def _iso(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def normalise(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Details as plain JSON (what the database gives back), so hashes survive a round trip."""
    raw = orjson.dumps(dict(details or {}), default=str, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS)
    out: dict[str, Any] = json.loads(raw)
    return out


def entry_hash(seq: int, at: datetime, actor: str, action: str, subject: str, details: Mapping[str, Any], prev_hash: str) -> str:
    doc = {
        "seq": seq,
        "at": _iso(at),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()


def record_in(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an entry inside a transaction that already holds the store's write lock.

    Use this to record an action in the same transaction as the change it describes
    (:func:`mamori.store.db.write_transaction`); otherwise use :func:`record`.
    """
    when = (at or datetime.now(UTC)).astimezone(UTC)
    norm = normalise(details)
    last = conn.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)).first()
    seq, prev = (int(last.seq) + 1, str(last.hash)) if last is not None else (1, GENESIS)
    digest = entry_hash(seq, when, actor, action, subject, norm, prev)
    conn.execute(
        audit_log.insert(),
        {
            "seq": seq,
            "at": when,
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": norm,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    cpoint.write(conn, seq, digest)
    return AuditEntry(seq, when, actor, action, subject, norm, prev, digest)


def record(
    engine: Engine,
    *,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry (its own transaction, under the store's write lock)."""
    try:
        with write_transaction(engine) as conn:
            return record_in(conn, actor=actor, action=action, subject=subject, details=details, at=at)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not write the audit log: {exc}") from exc


def _row(r: Any) -> AuditEntry:
    return AuditEntry(
        seq=int(r.seq),
        at=r.at,
        actor=r.actor,
        action=r.action,
        subject=r.subject,
        details=r.details or {},
        prev_hash=r.prev_hash,
        hash=r.hash,
    )


def entries(
    engine: Engine,
    *,
    action: str | None = None,
    subject: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[AuditEntry]:
    """Entries in ``seq`` order. ``action`` matches exactly or, ending in ``.``/``*``, as a prefix."""
    q = select(audit_log)
    if action:
        if action.endswith(("*", ".")):
            q = q.where(audit_log.c.action.startswith(action.rstrip("*"), autoescape=True))
        else:
            q = q.where(audit_log.c.action == action)
    if subject:
        q = q.where(audit_log.c.subject == subject)
    if actor:
        q = q.where(audit_log.c.actor == actor)
    if since is not None:
        q = q.where(audit_log.c.at >= since)
    q = q.order_by(audit_log.c.seq.desc() if newest_first else audit_log.c.seq)
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(q)]


def iter_all(engine: Engine, batch: int = 2000) -> Iterator[AuditEntry]:
    """Every entry in ``seq`` order, read in batches (for verify and export)."""
    after = 0
    while True:
        q = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(batch)
        with engine.connect() as conn:
            rows = [_row(r) for r in conn.execute(q)]
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify_entries(
    items: Iterable[AuditEntry], *, expect_head: str | None = None, checkpoint: cpoint.Checkpoint | None = None,
    use_checkpoint: bool = False,
) -> VerifyReport:  # fmt: skip
    """Recompute the chain over entries in ``seq`` order (and compare it with ``checkpoint`` when asked)."""
    problems: list[Problem] = []
    expected_seq, prev, count = 1, GENESIS, 0
    head_seq, head_hash = 0, GENESIS
    hash_at_checkpoint: str | None = None
    for e in items:
        count += 1
        if checkpoint is not None and e.seq == checkpoint.seq:
            hash_at_checkpoint = e.hash
        if e.seq != expected_seq:
            if e.seq > expected_seq:
                gap = f"{expected_seq}" if e.seq == expected_seq + 1 else f"{expected_seq}-{e.seq - 1}"
                problems.append(Problem(expected_seq, "missing", f"entries {gap} are missing (deleted)"))
            else:
                problems.append(Problem(e.seq, "missing", f"entry {e.seq} is out of order or duplicated"))
        if e.prev_hash != prev:
            problems.append(Problem(e.seq, "broken-link", f"entry {e.seq} does not link to the entry before it"))
        recomputed = entry_hash(e.seq, e.at, e.actor, e.action, e.subject, normalise(e.details), e.prev_hash)
        if recomputed != e.hash:
            problems.append(Problem(e.seq, "edited", f"entry {e.seq} was changed after it was written"))
        expected_seq, prev = e.seq + 1, e.hash
        head_seq, head_hash = e.seq, e.hash
    if expect_head:
        seq_s, _, want = expect_head.partition(":")
        try:
            want_seq = int(seq_s)
        except ValueError:
            raise InputError(f"expected head {expect_head!r} is not SEQ:HASH (as `mamori audit verify` prints it)") from None
        if head_seq < want_seq:
            problems.append(Problem(head_seq + 1, "missing", f"the log ends at entry {head_seq}; entries up to {want_seq} existed (the newest were deleted)"))
        elif want and head_seq == want_seq and head_hash != want:
            problems.append(Problem(want_seq, "head-mismatch", f"entry {want_seq} differs from the pinned head"))
    guarantee = cpoint.CHAIN_ONLY
    if use_checkpoint:
        guarantee, found = cpoint.problems(checkpoint, hash_at_checkpoint, head_seq)
        problems += [Problem(seq, kind, message) for seq, kind, message in found]
    return VerifyReport(count, head_seq, head_hash, problems, guarantee)


def verify(engine: Engine, *, expect_head: str | None = None) -> VerifyReport:
    """Recompute the whole chain stored in the database."""
    try:
        with engine.connect() as conn:  # the checkpoint first: an append racing this verify lands after it
            cp = cpoint.read(conn)
        return verify_entries(iter_all(engine), expect_head=expect_head, checkpoint=cp, use_checkpoint=True)
    except SQLAlchemyError as exc:
        raise StoreError(f"could not read the audit log: {exc}") from exc


def export_lines(engine: Engine) -> Iterator[bytes]:
    """The log as JSON lines (one entry per line, with its hashes): verifiable offline."""
    for e in iter_all(engine):
        yield orjson.dumps(e.to_dict(), option=orjson.OPT_SORT_KEYS) + b"\n"


def read_lines(lines: Iterable[bytes | str], *, source: str = "<export>") -> Iterator[AuditEntry]:
    """Entries from an export (:func:`export_lines`), for :func:`verify_entries`."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield AuditEntry.from_dict(orjson.loads(line))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not an audit log entry: {exc}", source=source, where=f"line {n}") from exc
