"""Findings as the hub shows them (the CLI's ``findings list``): the filter in SQL, then owner and SLA.

Every filter, owner and overdue included, is applied in SQL by :mod:`mamori.hub.page` (the
same conditions as the server's pages); this module keeps the CLI's order (worst first,
then rule, account, region, resource) and its limit. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.findings import Store
from mamori.hub.page import OPEN, FindingsQuery, matching, statuses_named
from mamori.hub.view import HubFinding

__all__ = ["OPEN", "FindingsQuery", "query_findings", "statuses_named"]


def query_findings(
    store: Store, query: FindingsQuery, owners: OwnersConfig, sla: SlaConfig, now: datetime | None = None
) -> list[HubFinding]:
    """Findings matching ``query``, worst first, each with its owner and due date."""
    limit = query.where.limit
    rows = matching(store, replace(query, where=replace(query.where, limit=None)), owners, sla, now=now or datetime.now(UTC))
    rows.sort(key=lambda h: (-h.finding.severity.rank, h.finding.rule_id, h.finding.account, h.finding.region, h.finding.resource_id))
    return rows[:limit] if limit else rows
