"""Accounts: every visible account with its open findings, SLA overdue, latest scores and baseline trend."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mamori.config import Config
from mamori.findings import Store
from mamori.report.overview import account_rows
from mamori.report.svg import sparkline
from mamori.server.deps import current_principal, get_config, get_store
from mamori.server.templating import render
from mamori.server.views import narrow, now, svg
from mamori.users import Principal

router = APIRouter(tags=["accounts"])


@router.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(
    request: Request, cursor: str | None = Query(None, max_length=40), limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    page = account_rows(store, accounts=principal.accounts, sla=config.sla, now=now(request), limit=limit, cursor=cursor)
    sparks = {a.account: svg(sparkline(a.trend, label=f"baseline score of {a.account}")) for a in page.items}
    return render(request, "accounts.html", page=page, sparks=sparks, next_cursor=page.next_cursor)


@router.get("/api/v1/accounts")
def accounts_api(
    request: Request, cursor: str | None = Query(None, max_length=40), limit: int = Query(50, ge=1, le=500),
    account: str | None = Query(None, max_length=40), principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Visible accounts by id (cursor = the last id of the page before): open findings by severity, overdue, scores, trend."""
    page = account_rows(store, accounts=narrow(principal, account), sla=config.sla, now=now(request), limit=limit, cursor=cursor)
    return page.to_dict()
