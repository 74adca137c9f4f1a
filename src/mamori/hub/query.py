"""Findings as the hub shows them: the store's filter, then owner and SLA (due date, overdue).

Owner and overdue are not columns of the store: they come from the owners mapping and the
SLA policy, so they are applied after the store's query, and the limit after them. The CLI
and a server call `query_findings` alike; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.findings import FindingFilter, Store
from mamori.hub.view import HubFinding, enrich
from mamori.model.finding import FindingStatus

OPEN: tuple[FindingStatus, ...] = (FindingStatus.NEW, FindingStatus.NOTIFIED)


def statuses_named(name: str) -> tuple[FindingStatus, ...]:
    """``open`` (NEW and NOTIFIED), ``all`` (no filter) or one status by name, any case."""
    if name.lower() == "open":
        return OPEN
    if name.lower() == "all":
        return ()
    return (FindingStatus(name.upper()),)


@dataclass(frozen=True)
class FindingsQuery:
    where: FindingFilter = field(default_factory=lambda: FindingFilter(statuses=OPEN))
    owners: tuple[str, ...] = ()  # owning teams, from the owners mapping
    overdue: bool = False  # only open findings past their SLA due date


def query_findings(
    store: Store, query: FindingsQuery, owners: OwnersConfig, sla: SlaConfig, now: datetime | None = None
) -> list[HubFinding]:
    """Findings matching ``query``, worst first, each with its owner and due date."""
    limit = query.where.limit
    after = bool(query.owners or query.overdue)  # filters the store cannot apply: limit after them
    found = store.findings(replace(query.where, limit=None) if after else query.where)
    rows = enrich(found, store.meta([f.id for f in found]), owners, sla, now or datetime.now(UTC))
    wanted = set(query.owners)
    rows = [h for h in rows if (not wanted or h.owner in wanted) and (not query.overdue or h.overdue)]
    return rows[:limit] if limit else rows
