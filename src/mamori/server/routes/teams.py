"""Teams: the pipeline gates per team (blocked how often and why, first block to fix, open FIX BY deadlines,
weekly trend) and open findings per owner team.

Gate runs are not tied to cloud accounts: a user scoped to some accounts sees the gate metrics
and runs of the teams that own one of those accounts in ``owners.accounts`` only
(:func:`mamori.gate.metrics.visible_teams`); findings per owner are counted over their accounts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mamori.config import Config
from mamori.errors import InputError
from mamori.findings import Store
from mamori.gate.metrics import findings_per_owner, gate_runs_page, team_metrics, visible_teams
from mamori.report.svg import bars_svg
from mamori.server.deps import current_principal, get_config, get_store
from mamori.server.templating import render
from mamori.server.views import bad_request, now, svg
from mamori.users import Principal

router = APIRouter(tags=["teams"])


@router.get("/teams", response_class=HTMLResponse, include_in_schema=False)
def teams_html(
    request: Request, weeks: int = Query(12, ge=1, le=104), principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    teams = team_metrics(store.engine, now(request), teams=visible_teams(config.owners, principal.accounts), weeks=weeks)
    charts = {
        t.team: svg(bars_svg([(w.week.isoformat(), w.runs, w.blocked) for w in t.trend], title=f"{t.team}: runs and blocked runs per week", height=90))
        for t in teams
    }
    owners = findings_per_owner(store.engine, config.owners, accounts=principal.accounts)
    return render(request, "teams.html", teams=teams, charts=charts, owners=owners, weeks=weeks)


@router.get("/api/v1/teams")
def teams_api(
    request: Request, weeks: int = Query(12, ge=1, le=104), principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Per team: runs, blocked and why, days from first block to fix, open FIX BY deadlines, weekly trend; and open findings per owner."""
    teams = team_metrics(store.engine, now(request), teams=visible_teams(config.owners, principal.accounts), weeks=weeks)
    owners = findings_per_owner(store.engine, config.owners, accounts=principal.accounts)
    return {"items": [t.to_dict() for t in teams], "owners": [o.to_dict() for o in owners], "next_cursor": None}


@router.get("/api/v1/gate-runs")
def gate_runs_api(
    cursor: str | None = Query(None, max_length=120), limit: int = Query(50, ge=1, le=500),
    team: str | None = Query(None, max_length=200), project: str | None = Query(None, max_length=200),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store), config: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Gate runs newest first (cursor = the last item's ``at|id``): project, team, commit, blocked, counts, reasons."""
    try:
        page = gate_runs_page(store.engine, teams=visible_teams(config.owners, principal.accounts), team=team, project=project,
                              limit=limit, cursor=cursor)  # fmt: skip
    except InputError as exc:
        raise bad_request(exc) from None
    return page.to_dict()
