"""Overview: what a CISO reads first (``/``), and its data as JSON (``/api/v1/overview``, ``/api/v1/scores``).

One data model (:func:`mamori.report.overview.build_overview`) feeds this page and
``mamori report html``. ``?account=`` narrows to one visible account (an invisible one shows nothing).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mamori.config import Config
from mamori.findings import Store
from mamori.report.overview import standard_scores
from mamori.report.svg import severity_bar, sparkline, trend_svg
from mamori.server.deps import current_principal, get_config, get_store
from mamori.server.templating import render
from mamori.server.views import narrow, now, overview, shown_account, svg
from mamori.users import Principal

router = APIRouter(tags=["overview"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(
    request: Request, account: str | None = Query(None, max_length=40), principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    ov = overview(request, store, config, narrow(principal, account))
    charts = {
        "trend": svg(trend_svg({s.standard: list(s.points) for s in ov.scores}, title="Score per standard, last 90 days")),
        "severity": svg(severity_bar(ov.open.items(), width=480)),
        "accounts": {a.account: svg(sparkline(a.trend, label=f"baseline score of {a.account}")) for a in ov.by_account},
    }
    return render(request, "overview.html", ov=ov, charts=charts, account=shown_account(principal, account))


@router.get("/api/v1/overview")
def overview_api(
    request: Request, account: str | None = Query(None, max_length=40), principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Open findings by severity, SLA overdue, scores and trends, top root causes, fixes, changes, drift, breakdowns."""
    return overview(request, store, config, narrow(principal, account)).to_dict()


@router.get("/api/v1/scores")
def scores_api(
    request: Request, account: str | None = Query(None, max_length=40), days: int = Query(90, ge=1, le=3660),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> dict[str, Any]:  # fmt: skip
    """The score of each standard over the visible accounts (or one of them): latest, previous, the trend over ``days``."""
    items = standard_scores(store, accounts=narrow(principal, account), now=now(request), days=days)
    return {"items": [s.to_dict() for s in items], "next_cursor": None}
