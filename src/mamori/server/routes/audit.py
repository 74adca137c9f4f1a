"""Audit log: entries newest first and the hash chain's verify status.

A user scoped to some accounts sees the verify status and only the entries they made
themselves (an entry is not tied to an account: another actor's entry may name any account).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mamori.errors import InputError
from mamori.findings import Store
from mamori.report.views import AuditView, audit_view
from mamori.server.deps import current_principal, get_store
from mamori.server.templating import render
from mamori.server.views import bad_request
from mamori.users import Principal

router = APIRouter(tags=["audit"])


def _view(store: Store, principal: Principal, limit: int, cursor: str | None, action: str | None) -> AuditView:
    try:
        return audit_view(store, actor=principal.name, accounts=principal.accounts, limit=limit, cursor=cursor, action=action)
    except InputError as exc:
        raise bad_request(exc) from None


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_html(
    request: Request, cursor: str | None = Query(None, max_length=20), limit: int = Query(50, ge=1, le=500),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> HTMLResponse:  # fmt: skip
    v = _view(store, principal, limit, cursor, None)
    return render(request, "audit.html", view=v, next_cursor=v.next_cursor)


@router.get("/api/v1/audit")
def audit_api(
    cursor: str | None = Query(None, max_length=20), limit: int = Query(50, ge=1, le=500), action: str | None = Query(None, max_length=120),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> dict[str, Any]:  # fmt: skip
    """Entries newest first (cursor = the last ``seq`` shown) and ``verify``: whether the hash chain is intact."""
    return _view(store, principal, limit, cursor, action).to_dict()
