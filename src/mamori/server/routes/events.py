"""Events: the detections timeline (per day and newest first) and repeat offenders, in the visible accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mamori.errors import InputError
from mamori.findings import Store
from mamori.report.svg import bars_svg
from mamori.report.views import Page, detections_per_day, events_page, repeat_offenders
from mamori.server.deps import current_principal, get_store
from mamori.server.templating import render
from mamori.server.views import bad_request, narrow, now, svg
from mamori.users import Principal

router = APIRouter(tags=["events"])


def _page(store: Store, accounts: frozenset[str] | None, limit: int, cursor: str | None, detection: str | None) -> Page:
    try:
        return events_page(store, accounts=accounts, limit=limit, cursor=cursor, detection=detection)
    except InputError as exc:
        raise bad_request(exc) from None


@router.get("/events", response_class=HTMLResponse, include_in_schema=False)
def events_html(
    request: Request, cursor: str | None = Query(None, max_length=120), limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> HTMLResponse:  # fmt: skip
    page = _page(store, principal.accounts, limit, cursor, None)
    t = now(request)
    start = (t - timedelta(days=29)).replace(hour=0, minute=0, second=0, microsecond=0)
    per_day = dict(detections_per_day(store, accounts=principal.accounts, since=start))
    days = [start + timedelta(days=i) for i in range(30)]
    chart = bars_svg([(d.date().isoformat(), per_day.get(d, 0), 0) for d in days], title="Detections per day, last 30 days")
    offenders = repeat_offenders(store, accounts=principal.accounts)
    return render(request, "events.html", items=page.items, next_cursor=page.next_cursor, chart=svg(chart), offenders=offenders)


@router.get("/api/v1/events")
def events_api(
    cursor: str | None = Query(None, max_length=120), limit: int = Query(50, ge=1, le=500),
    detection: str | None = Query(None, max_length=120), account: str | None = Query(None, max_length=40),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> dict[str, Any]:  # fmt: skip
    """Detections newest first (who, what, where, offence number, the finding it raised)."""
    result: dict[str, Any] = _page(store, narrow(principal, account), limit, cursor, detection).to_dict()
    return result


@router.get("/api/v1/events/offenders")
def offenders_api(limit: int = Query(20, ge=1, le=500), principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> dict[str, Any]:
    """Principals with the most detections (offences = successful calls, attempts = denied ones)."""
    return {"items": repeat_offenders(store, accounts=principal.accounts, limit=limit), "next_cursor": None}
