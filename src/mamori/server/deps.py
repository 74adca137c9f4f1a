"""FastAPI dependencies: the store, the config, and who is asking (resolved once per request).

``current_principal`` reads a Bearer token (``Authorization: Bearer mmr_...``) or the signed
session cookie, loads the user (a disabled user is signed out at once) and maps their account
group to the set of accounts they see (:class:`mamori.users.Principal`). Without a valid
login, API paths get 401 and pages redirect to ``/login``. ``require(Role.ANALYST)`` is a
dependency that also answers 403 below that role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, HTTPException, Request

from mamori.config import Config
from mamori.findings import Store
from mamori.server.security import bearer
from mamori.users import Principal, Role
from mamori.users.service import UserStore

__all__ = ["LoginRequired", "current_principal", "get_config", "get_store", "get_users", "optional_principal", "require"]


class LoginRequired(Exception):
    """No valid login on a page: the app's handler redirects to /login (401 on API paths)."""


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


def get_users(request: Request) -> UserStore:
    users: UserStore = request.app.state.users
    return users


def _resolve(request: Request) -> Principal | None:
    users = get_users(request)
    groups = get_config(request).account_groups
    token = bearer(request)
    if token is not None:
        user = users.token_user(token, now=request.app.state.settings.clock())
        if user is None:
            raise HTTPException(status_code=401, detail="invalid, expired or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        return user.principal(groups, via="token")
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    found = users.user(name)
    if found is None or found.disabled:
        request.session.pop("user", None)
        return None
    return found.principal(groups, via=str(request.session.get("via", "session")))


def optional_principal(request: Request) -> Principal | None:
    """The signed-in user or None; cached on the request so it is resolved once."""
    if not hasattr(request.state, "principal"):
        request.state.principal = _resolve(request)
    found: Principal | None = request.state.principal
    return found


def current_principal(request: Request) -> Principal:
    """The signed-in user; 401 (API) or a redirect to /login (pages) without one."""
    p = optional_principal(request)
    if p is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(status_code=401, detail="not authenticated", headers={"WWW-Authenticate": "Bearer"})
        raise LoginRequired()
    return p


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the principal when their role is at least ``role``, else 403."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if not principal.at_least(role):
            raise HTTPException(status_code=403, detail=f"this needs the {role.value} role (you are {principal.role.value})")
        return principal

    return dependency
