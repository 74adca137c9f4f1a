"""Helpers shared by the OVERVIEW pages' routes (overview, accounts, standards, scans, events, audit, teams).

Routes stay thin: they narrow the principal's visible accounts with the request's filter,
call one service function and render. SVG charts come from :mod:`mamori.report.svg`, which
escapes every value it writes; they are marked safe here, once, and nothing else is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request
from markupsafe import Markup

from mamori.config import Config
from mamori.errors import InputError
from mamori.findings import Store
from mamori.report.overview import Overview, build_overview, data_version
from mamori.rules import RuleSet, load_rules
from mamori.users import Principal

_lock = threading.Lock()


def now(request: Request) -> datetime:
    t: datetime = request.app.state.settings.clock()
    return t


def rules(request: Request) -> RuleSet | None:
    """The rule set of the server's config (titles, remediation), loaded once per app; None when it cannot load."""
    state = request.app.state
    with _lock:
        if not hasattr(state, "overview_rules"):
            try:
                state.overview_rules = load_rules(state.config.rule_paths)
            except Exception:
                state.overview_rules = None
    found: RuleSet | None = state.overview_rules
    return found


def narrow(principal: Principal, account: str | None) -> frozenset[str] | None:
    """The accounts a request covers: the principal's, narrowed to ``account`` (an invisible one gives none)."""
    if not account:
        return principal.accounts
    return frozenset({account}) if principal.sees(account) else frozenset()


def shown_account(principal: Principal, account: str | None) -> str | None:
    """``account`` to echo in a page (a filter's value) only if the principal sees it."""
    return account if account and principal.sees(account) else None


def svg(text: str) -> Markup:
    """An SVG built by mamori.report.svg (every value in it escaped there), inline (no xmlns needed in HTML)."""
    return Markup(text.replace(' xmlns="http://www.w3.org/2000/svg"', ""))


def bad_request(exc: InputError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(exc))


def limit_of(value: int | None, default: int = 50) -> int:
    return max(1, min(value or default, 500))


OVERVIEW_CACHE = 64  # overviews kept per server: (reader's accounts, data version, clock minute)


def overview(request: Request, store: Store, config: Config, accounts: frozenset[str] | None) -> Overview:
    """The overview for ``accounts``, computed once per data version and clock minute.

    Computing it reads every open finding a few times (~0.5 s at 200,000); the version
    (:func:`mamori.report.overview.data_version`, two index lookups) changes with every status
    change and scan, and the minute moves the SLA clock, so a reused overview is at most a
    minute older than the data only where a finding changed without a status change.
    """
    at = now(request)
    key = (accounts, data_version(store), at.replace(second=0, microsecond=0))
    state = request.app.state
    with _lock:
        cache: OrderedDict[Any, Overview] = getattr(state, "overview_cache", None) or OrderedDict()
        state.overview_cache = cache
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    ov = build_overview(store, accounts=accounts, sla=config.sla, rules=rules(request), now=at)
    with _lock:
        cache[key] = ov
        while len(cache) > OVERVIEW_CACHE:
            cache.popitem(last=False)
    return ov
