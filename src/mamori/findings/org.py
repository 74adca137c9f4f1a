"""Organization membership across `--org` scans, and "account removed".

Each full `--org` scan records the organization's accounts (``org_accounts``). An account
recorded before and missing from the organization's listing now has left it: its open and
suppressed findings (any source) become ``REMOVED`` with the history note "account removed"
— not RESOLVED, nothing was fixed. If the account comes back and fails again, the finding
reopens like a resolved one. Accounts never listed by an org scan are never removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Engine, and_, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.findings.rows import OPEN, hist
from mamori.findings.tables import finding_history, findings, org_accounts
from mamori.model.finding import FindingStatus
from mamori.store.db import write_transaction
from mamori.store.rows import chunks

REMOVED_NOTE = "account removed"


def record_org_accounts(
    engine: Engine, organization_id: str, accounts: Mapping[str, tuple[str, str]], *, scan_id: str | None, now: datetime
) -> dict[str, list[str]]:
    """Record the organization's accounts (id -> (name, status)); close the findings of those that left.

    Returns ``{account: [finding ids closed]}`` for every account that left since the last scan."""
    closed: dict[str, list[str]] = {}
    try:
        with write_transaction(engine) as conn:
            known = {
                r.account: r
                for r in conn.execute(select(org_accounts).where(org_accounts.c.organization_id == organization_id))
            }
            for acct, (name, status) in accounts.items():
                row = known.get(acct)
                values = {"name": name[:200], "status": status[:32], "last_seen": now, "removed_at": None}
                if row is None:
                    conn.execute(insert(org_accounts).values(organization_id=organization_id, account=acct, first_seen=now, **values))
                else:
                    conn.execute(
                        update(org_accounts)
                        .where(and_(org_accounts.c.organization_id == organization_id, org_accounts.c.account == acct))
                        .values(**values)
                    )
            gone = sorted(a for a, r in known.items() if a not in accounts and r.removed_at is None)
            for acct in gone:
                conn.execute(
                    update(org_accounts)
                    .where(and_(org_accounts.c.organization_id == organization_id, org_accounts.c.account == acct))
                    .values(removed_at=now)
                )
                rows = list(
                    conn.execute(
                        select(findings.c.id, findings.c.status).where(
                            and_(findings.c.account == acct, findings.c.status.in_((*OPEN, FindingStatus.SUPPRESSED.value)))
                        )
                    )
                )
                closed[acct] = [r.id for r in rows]
                note = f"{REMOVED_NOTE}: {acct} left organization {organization_id}"
                for chunk in chunks(rows, 500):
                    ids = [r.id for r in chunk]
                    conn.execute(
                        update(findings)
                        .where(findings.c.id.in_(ids))
                        .values(status=FindingStatus.REMOVED.value, resolved_at=now, last_scan_id=scan_id)
                    )
                    conn.execute(
                        insert(finding_history),
                        [hist(r.id, scan_id, now, r.status, FindingStatus.REMOVED, note) for r in chunk],
                    )
    except SQLAlchemyError as exc:
        raise StoreError(f"could not record the organization's accounts: {exc}") from exc
    return closed
