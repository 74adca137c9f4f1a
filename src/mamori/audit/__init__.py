"""The audit log: an append-only, hash-chained record of what mamori (and its users) did.

Any subsystem records through :func:`record` (or :func:`record_in` inside its own
write transaction)::

    from mamori import audit
    audit.record(store.engine, actor="alice", action="hub.suppress", subject=finding_id,
                 details={"reason": "...", "approver": "...", "expires": "2026-12-31"})

``mamori audit list|verify|export`` reads it; :func:`verify` detects edited and deleted
entries. Actions are dotted names, ``<subsystem>.<verb>`` (``remediate.apply``,
``keys.notify``, ...).
"""

from mamori.audit.log import (
    GENESIS,
    AuditEntry,
    Problem,
    VerifyReport,
    entries,
    export_lines,
    read_lines,
    record,
    record_in,
    verify,
    verify_entries,
)

__all__ = [
    "GENESIS",
    "AuditEntry",
    "Problem",
    "VerifyReport",
    "entries",
    "export_lines",
    "read_lines",
    "record",
    "record_in",
    "verify",
    "verify_entries",
]
