"""Security engagement tasks (issue 18): per team and app, with due dates.

    GET /engage                   the page: teams -> apps -> tasks (filters: team, app, status)
    GET /api/v1/engage/tasks      {"items": [task...], "next_cursor": null} (same filters)

Tasks are not tied to one account; a user scoped to an account group sees the tasks of the
apps whose tagged resources the scans saw in those accounts (``engage_app_accounts``);
an app no scan has seen yet is shown to unscoped users only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from mamori.engage.service import TaskFilter, TaskStatus, by_team, list_tasks, summary
from mamori.findings import Store
from mamori.server.deps import current_principal, get_store
from mamori.server.templating import render
from mamori.users import Principal

router = APIRouter(tags=["engage"])
MAX_FILTER = 100


def _filter(principal: Principal, team: list[str], app: list[str], status: list[str]) -> TaskFilter:
    if any(len(v) > MAX_FILTER for v in (*team, *app)) or len(team) + len(app) + len(status) > 50:
        raise HTTPException(status_code=400, detail="filter values are too long or too many")
    try:
        statuses = tuple(TaskStatus(s) for s in status if s)
    except ValueError:
        raise HTTPException(
            status_code=400, detail=f"status is one of {', '.join(s.value for s in TaskStatus)}"
        ) from None
    return TaskFilter(
        apps=tuple(a for a in app if a),
        teams=tuple(t for t in team if t),
        statuses=statuses,
        accounts=principal.accounts,
    )


@router.get("/api/v1/engage/tasks")
def api_tasks(
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
    team: list[str] = Query(default=[]), app: list[str] = Query(default=[]), status: list[str] = Query(default=[]),
) -> dict[str, Any]:  # fmt: skip
    now = datetime.now(UTC)
    items = list_tasks(store.engine, _filter(principal, team, app, status), now=now)
    return {"items": [t.to_dict(now) for t in items], "next_cursor": None, "summary": summary(items, now)}


@router.get("/engage", response_class=HTMLResponse, include_in_schema=False)
def engage_page(
    request: Request, principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
    team: list[str] = Query(default=[]), app: list[str] = Query(default=[]), status: list[str] = Query(default=[]),
) -> HTMLResponse:  # fmt: skip
    now = datetime.now(UTC)
    flt = _filter(principal, team, app, status)
    items = list_tasks(store.engine, flt, now=now)
    return render(
        request, "engage.html", teams=by_team(items, now), total=summary(items, now), now=now,
        statuses=[s.value for s in TaskStatus], selected={"team": team, "app": app, "status": status},
    )  # fmt: skip
