"""GET/POST /login (form: username, password), POST /logout."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.server.deps import get_users, optional_principal
from mamori.server.templating import render
from mamori.users import Principal
from mamori.users.service import UserStore

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site (``/findings?x=1``), never ``//evil`` or ``https://evil``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/"
    return value[:2000]


def _oidc_label(request: Request) -> str | None:
    oidc = request.app.state.config.server.oidc
    return oidc.label if oidc is not None else None


def start_session(request: Request, name: str, via: str) -> None:
    """A fresh session (new CSRF token: nothing from before the login carries over)."""
    request.session.clear()
    request.session["user"] = name
    request.session["via"] = via
    request.session["csrf"] = secrets.token_urlsafe(32)


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", principal: Principal | None = Depends(optional_principal)) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), username="", error=None, oidc_label=_oidc_label(request))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, username: str = Form(max_length=200), password: str = Form(max_length=1024),
    next: str = Form("/"), users: UserStore = Depends(get_users),
) -> Response:  # fmt: skip
    limiter = request.app.state.limiter
    addr = client_address(request)
    wait = limiter.blocked(username, addr)
    if wait:
        return render(request, "login.html", status_code=429, next=safe_next(next), username=username,
                      error=f"too many failed sign-ins: try again in {int(wait) + 1} seconds",
                      oidc_label=_oidc_label(request))  # fmt: skip
    user = users.authenticate(username, password)
    if user is None:
        limiter.failed(username, addr)
        return render(request, "login.html", status_code=401, next=safe_next(next), username=username,
                      error="wrong user name or password", oidc_label=_oidc_label(request))  # fmt: skip
    limiter.succeeded(username, addr)
    start_session(request, user.name, "session")
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
