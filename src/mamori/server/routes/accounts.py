"""Accounts (stub; owned by the OVERVIEW helper of issue 14, see /work/server-plan.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from mamori.server.deps import current_principal
from mamori.server.templating import render
from mamori.users import Principal

router = APIRouter(tags=["accounts"])


@router.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(request: Request, principal: Principal = Depends(current_principal)) -> HTMLResponse:
    return render(request, "placeholder.html", heading="Accounts")
