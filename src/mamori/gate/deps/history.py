"""The dependency gate's memory in the store: when each vulnerability was first seen, and every run.

* First seen is per (project, ecosystem, package, vulnerability) — not per version, so
  upgrading to another still-vulnerable version does not restart the clock. A row is
  found by any of the vulnerability's ids, so a record that later gains a GHSA alias
  keeps its clock.
* A vulnerability no longer present in a complete run (no unreadable lockfile) is marked
  fixed; if it comes back, it keeps its original first-seen date (a regression does not
  earn a new deadline).
* Reading and writing happen in one write transaction (``mamori.store.db.write_transaction``),
  so two pipelines of the same project serialise instead of racing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.gate.deps.model import DepsReport, Package, Verdict, Vulnerability
from mamori.gate.deps.tables import gate_runs, gate_vulns
from mamori.store.db import make_engine, migrate, write_transaction


@dataclass
class Known:
    """The project's stored vulnerability rows, by (ecosystem, package)."""

    project: str
    rows: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def row(self, package: Package, vuln: Vulnerability) -> dict[str, Any] | None:
        ids = {i.upper() for i in vuln.ids}
        for r in self.rows.get((package.ecosystem.value, package.lookup_name), ()):
            if r["vuln_id"].upper() in ids or ids & {a.upper() for a in r["aliases"] or ()}:
                return r
        return None

    def first_seen(self, package: Package, vuln: Vulnerability) -> datetime | None:
        r = self.row(package, vuln)
        return r["first_seen"] if r else None


def load_known(conn: Connection, project: str) -> Known:
    known = Known(project)
    for r in conn.execute(select(gate_vulns).where(gate_vulns.c.project == project)).mappings():
        known.rows.setdefault((r["ecosystem"], r["package"]), []).append(dict(r))
    return known


def open_store(url: str | None) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def read_known(engine: Engine, project: str) -> Known:
    """The stored rows without writing anything (``--no-record``); empty when the store has no gate tables."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("gate_vulns"):
                return Known(project)
            return load_known(conn, project)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the gate history: {exc}") from exc


@contextmanager
def recording(engine: Engine, project: str) -> Iterator[tuple[Known, Connection]]:
    """A write transaction with the project's stored rows loaded; call ``record_run`` inside it."""
    try:
        with write_transaction(engine) as conn:
            yield load_known(conn, project), conn
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot record the gate run: {exc}") from exc


def _reasons(report: DepsReport) -> list[dict[str, Any]]:
    out = []
    for p in report.packages:
        if p.verdict is Verdict.PASS:
            continue
        out.append(
            {
                "ecosystem": p.package.ecosystem.value,
                "package": p.package.name,
                "version": p.package.version,
                "verdict": p.verdict.value,
                "rule": p.rule.value,
                "vulns": [d.vulnerability.id for d in p.vulns if d.verdict is p.verdict],
                "reason": p.reason,
                "deadline": p.deadline.isoformat() if p.deadline else None,
            }
        )
    return out


def record_run(conn: Connection, known: Known, report: DepsReport, now: datetime) -> str:
    """Insert the run and bring ``gate_vulns`` up to date; the run id."""
    run_id = str(uuid.uuid4())
    conn.execute(
        insert(gate_runs),
        {
            "id": run_id,
            "at": now,
            "project": report.project,
            "team": report.team,
            "commit": report.commit,
            "blocked": report.blocked,
            "exit_code": report.exit_code,
            "counts": report.counts(),
            "reasons": _reasons(report),
        },
    )
    touched: set[int] = set()
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []  # one executemany: a run of a big image touches hundreds of rows
    for p in report.packages:
        for d in p.vulns:
            v = d.vulnerability
            values = {
                "team": report.team,
                "aliases": sorted(v.aliases),
                "severity": v.severity.value if v.severity else None,
                "version": p.package.version or "",
                "verdict": d.verdict.value,
                "last_seen": now,
                "fixed_at": None,
                "deadline": d.deadline,
                "last_run_id": run_id,
            }
            row = known.row(p.package, v)
            if row is not None:
                if row["id"] in touched:
                    continue
                touched.add(row["id"])
                aliases = sorted((set(row["aliases"] or ()) | set(v.aliases) | {v.id}) - {row["vuln_id"]})
                updates.append({**values, "aliases": aliases, "row_id": row["id"]})
                continue
            key = (p.package.ecosystem.value, p.package.lookup_name)
            entry = {
                **values,
                "project": report.project,
                "ecosystem": key[0],
                "package": key[1],
                "vuln_id": v.id,
                "first_seen": d.first_seen or now,
            }
            new_rows.append(entry)
            # a second lockfile entry of the same package and vulnerability updates, not duplicates
            known.rows.setdefault(key, []).append({**entry, "id": -len(new_rows)})
            touched.add(-len(new_rows))
    if updates:
        conn.execute(update(gate_vulns).where(gate_vulns.c.id == bindparam("row_id")), updates)
    if new_rows:
        conn.execute(insert(gate_vulns), new_rows)
    if not report.errors:
        gone = [r["id"] for rows in known.rows.values() for r in rows
                if r["id"] > 0 and r["id"] not in touched and r.get("fixed_at") is None]  # fmt: skip
        for start in range(0, len(gone), 900):
            conn.execute(
                update(gate_vulns).where(gate_vulns.c.id.in_(gone[start : start + 900])).values(fixed_at=now)
            )
    return run_id
