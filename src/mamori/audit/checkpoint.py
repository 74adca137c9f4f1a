"""The audit log's stored head checkpoint and its optional HMAC.

The hash chain alone shows edits and gaps, but a log whose newest entries were deleted (or
that was rewritten from some entry on, hashes recomputed) is still a consistent chain. So
every append also rewrites one checkpoint row with the new head's ``seq`` and ``hash``, in
the same transaction; :func:`mamori.audit.verify` compares the chain with it. Three levels
of guarantee, named in ``verify``'s output:

``hash chain only``
    no checkpoint (an export verified with ``--file``, a log written before checkpoints):
    edits and gaps are detected; truncation only with ``--expect-head``.
``chain + checkpoint``
    truncation and rewrites are detected, unless whoever did it also rewrote the checkpoint
    (it sits in the same database).
``chain + HMAC checkpoint``
    ``$MAMORI_AUDIT_KEY`` is set: the checkpoint carries HMAC-SHA256(key, ``seq:hash``), so
    without the key nobody can truncate, rewrite or extend the chain and make it verify.
    Keep the key out of the database (a CI secret, a secrets manager).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from sqlalchemy import Connection, select

from mamori.audit.tables import audit_checkpoint

KEY_ENV = "MAMORI_AUDIT_KEY"

CHAIN_ONLY = "hash chain only"
CHECKPOINT = "chain + checkpoint"
HMAC_CHECKPOINT = "chain + HMAC checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    mac: str | None


def audit_key() -> bytes | None:
    """The HMAC key from ``$MAMORI_AUDIT_KEY`` (None when unset or empty)."""
    raw = os.environ.get(KEY_ENV, "")
    return raw.encode("utf-8") if raw else None


def mac_of(key: bytes, seq: int, digest: str) -> str:
    return hmac.new(key, f"{seq}:{digest}".encode(), hashlib.sha256).hexdigest()


def write(conn: Connection, seq: int, digest: str) -> None:
    """Move the checkpoint to the entry just appended (inside the appending transaction)."""
    key = audit_key()
    row = {"seq": seq, "hash": digest, "mac": mac_of(key, seq, digest) if key else None}
    updated = conn.execute(audit_checkpoint.update().where(audit_checkpoint.c.id == 1).values(**row))
    if not updated.rowcount:
        conn.execute(audit_checkpoint.insert().values(id=1, **row))


def read(conn: Connection) -> Checkpoint | None:
    r = conn.execute(select(audit_checkpoint).where(audit_checkpoint.c.id == 1)).first()
    return Checkpoint(int(r.seq), str(r.hash), r.mac) if r is not None else None


def problems(
    cp: Checkpoint | None, hash_at_seq: str | None, head_seq: int
) -> tuple[str, list[tuple[int, str, str]]]:
    """(guarantee, [(seq, kind, message)]) for a chain whose entry ``cp.seq`` has ``hash_at_seq``.

    Entries after the checkpoint are allowed (an append may land between reading the
    checkpoint and reading the chain); they are covered by the chain's links to it.
    """
    key = audit_key()
    if cp is None:
        if key is not None and head_seq:
            return HMAC_CHECKPOINT, [(head_seq, "checkpoint-missing", "the log has entries but no checkpoint: it "
                                     "was deleted, or the entries were written outside mamori")]  # fmt: skip
        return CHAIN_ONLY, []
    out: list[tuple[int, str, str]] = []
    if hash_at_seq is None:
        out.append((cp.seq, "truncated", f"the log ends at entry {head_seq}, but the checkpoint says entry "
                    f"{cp.seq} was written (the newest entries were deleted)"))  # fmt: skip
    elif hash_at_seq != cp.hash:
        out.append((cp.seq, "rewritten", f"entry {cp.seq} is not the one the checkpoint recorded "
                    "(the log was rewritten from some entry on)"))  # fmt: skip
    if key is None:
        return CHECKPOINT, out
    if cp.mac is None:
        out.append((cp.seq, "checkpoint-unauthenticated", f"{KEY_ENV} is set but the checkpoint carries no HMAC "
                    "(written without the key, or replaced)"))  # fmt: skip
    elif not hmac.compare_digest(cp.mac, mac_of(key, cp.seq, cp.hash)):
        out.append((cp.seq, "checkpoint-forged", "the checkpoint's HMAC does not match: it was written with "
                    f"another key, or forged ({KEY_ENV})"))  # fmt: skip
    return HMAC_CHECKPOINT, out
