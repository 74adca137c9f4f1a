"""Signing in and out: the login form, the session cookie, OpenID Connect.

The session is Starlette's SessionMiddleware cookie (signed with itsdangerous, HttpOnly,
SameSite=Lax, ``Secure`` when ``server.cookie_secure``): it holds the user name, how they
signed in and the CSRF token, nothing else. The user is loaded again on every request, so
disabling a user signs them out at once.
"""

from fastapi import APIRouter

from mamori.server.auth import login, oidc

router = APIRouter()
router.include_router(login.router)
router.include_router(oidc.router)

__all__ = ["router"]
