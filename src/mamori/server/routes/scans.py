"""Scans: every scan that scored a visible account, newest first, and one scan's changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from mamori.errors import InputError
from mamori.findings import Store
from mamori.report.views import scan_detail, scans_page
from mamori.server.deps import current_principal, get_store
from mamori.server.templating import render
from mamori.server.views import bad_request
from mamori.users import Principal

router = APIRouter(tags=["scans"])


def _page(store: Store, principal: Principal, limit: int, cursor: str | None) -> Any:
    try:
        return scans_page(store, accounts=principal.accounts, limit=limit, cursor=cursor)
    except InputError as exc:
        raise bad_request(exc) from None


def _one(store: Store, principal: Principal, scan_id: str) -> dict[str, Any]:
    found = scan_detail(store, scan_id, accounts=principal.accounts)
    if found is None:
        raise HTTPException(status_code=404, detail="no such scan")
    return found


@router.get("/scans", response_class=HTMLResponse, include_in_schema=False)
def scans_html(
    request: Request, cursor: str | None = Query(None, max_length=120), limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> HTMLResponse:  # fmt: skip
    page = _page(store, principal, limit, cursor)
    return render(request, "scans.html", items=page.items, next_cursor=page.next_cursor, scoped=principal.accounts is not None)


@router.get("/scans/{scan_id}", response_class=HTMLResponse, include_in_schema=False)
def scan_html(request: Request, scan_id: str, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> HTMLResponse:
    return render(request, "scan.html", scan=_one(store, principal, scan_id), scoped=principal.accounts is not None)


@router.get("/api/v1/scans")
def scans_api(
    cursor: str | None = Query(None, max_length=120), limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> dict[str, Any]:  # fmt: skip
    """Scans newest first: visible accounts, regions, results, what changed (new / reopened / resolved)."""
    result: dict[str, Any] = _page(store, principal, limit, cursor).to_dict()
    return result


@router.get("/api/v1/scans/{scan_id}")
def scan_api(scan_id: str, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> dict[str, Any]:
    """One scan (exact id) and the findings it opened or resolved in the visible accounts."""
    return _one(store, principal, scan_id)
