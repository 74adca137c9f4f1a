"""OpenID Connect single sign-on (Authlib's Starlette client): /auth/oidc/login, /auth/oidc/callback."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

router = APIRouter(prefix="/auth/oidc", include_in_schema=False)


@router.get("/login")
async def oidc_login(request: Request) -> RedirectResponse:
    raise HTTPException(status_code=404, detail="single sign-on is not configured (server.oidc in mamori.yaml)")


@router.get("/callback")
async def oidc_callback(request: Request) -> RedirectResponse:
    raise HTTPException(status_code=404, detail="single sign-on is not configured (server.oidc in mamori.yaml)")
