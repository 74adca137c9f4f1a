"""Helpers shared by the OVERVIEW pages' routes (overview, accounts, standards, scans, events, audit, teams).

Routes stay thin: they narrow the principal's visible accounts with the request's filter,
call one service function and render. SVG charts come from :mod:`mamori.report.svg`, which
escapes every value it writes; they are marked safe here, once, and nothing else is.
"""

from __future__ import annotations

import threading
from datetime import datetime

from fastapi import HTTPException, Request
from markupsafe import Markup

from mamori.errors import InputError
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


