"""Routing: which channels get which finding, by severity, account, rule, owner and source (exact matches).

A route lists channels and filters; every filter that is given must match (an empty list
matches everything). A finding goes to the union of the channels of all routes it
matches. With no routes configured, every channel gets every finding.
"""

from __future__ import annotations

from collections.abc import Iterable

from mamori.config.hub import NotificationsConfig, RouteConfig
from mamori.hub.view import HubFinding
from mamori.model.finding import Severity


def matches(route: RouteConfig, h: HubFinding) -> bool:
    f = h.finding
    if route.min_severity and not f.severity.at_least(Severity(route.min_severity)):
        return False
    if route.severities and f.severity.value not in route.severities:
        return False
    if route.accounts and f.account not in route.accounts:
        return False
    if route.rules and f.rule_id not in route.rules:
        return False
    if route.owners and h.owner not in route.owners:
        return False
    return not (route.sources and f.source not in route.sources)


def channels_for(cfg: NotificationsConfig, h: HubFinding) -> set[str]:
    if not cfg.routes:
        return set(cfg.channels)
    out: set[str] = set()
    for r in cfg.routes:
        if matches(r, h):
            out.update(r.channels)
    return out


def route_all(cfg: NotificationsConfig, findings: Iterable[HubFinding]) -> dict[str, list[HubFinding]]:
    out: dict[str, list[HubFinding]] = {name: [] for name in cfg.channels}
    for h in findings:
        for c in channels_for(cfg, h):
            out[c].append(h)
    return out
