"""OpenID Connect single sign-on with Authlib's Starlette client: /auth/oidc/login, /auth/oidc/callback.

``server.oidc`` in mamori.yaml names the issuer (its ``/.well-known/openid-configuration`` is
read), the client, the claim that lists the user's groups and what each group gives::

    groups:
      sec-admins: {role: admin}
      dev-team: {role: analyst, accounts: dev}

The user gets the highest role among their groups (for equal roles, the group listed first
in the config); a user in none of the groups is refused. The id_token's signature, issuer,
audience, expiry and nonce are checked by Authlib. The user is created or updated on each
sign-in (audited as ``user.sso`` when the role or group changes); a user disabled in mamori
stays out whatever the identity provider says.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from mamori.config.server import OidcConfig
from mamori.errors import InputError
from mamori.server.auth.login import safe_next, start_session
from mamori.users import Role

router = APIRouter(prefix="/auth/oidc", include_in_schema=False)
log = logging.getLogger("mamori.server.oidc")


def _oidc(request: Request) -> OidcConfig:
    cfg: OidcConfig | None = request.app.state.config.server.oidc
    if cfg is None:
        raise HTTPException(status_code=404, detail="single sign-on is not configured (server.oidc in mamori.yaml)")
    return cfg


def _client(request: Request, cfg: OidcConfig) -> Any:
    """Authlib's client for the issuer, built once per app."""
    client = getattr(request.app.state, "oidc_client", None)
    if client is None:
        from authlib.integrations.starlette_client import OAuth

        secret = cfg.client_secret or (os.environ.get(cfg.client_secret_env) if cfg.client_secret_env else None)
        oauth = OAuth()
        client = oauth.register(
            name="mamori",
            server_metadata_url=cfg.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_id=cfg.client_id,
            client_secret=secret,
            client_kwargs={"scope": cfg.scope, "timeout": 10.0},
        )
        request.app.state.oidc_client = client
    return client


def map_groups(cfg: OidcConfig, groups: Iterable[str]) -> tuple[Role, str | None] | None:
    """The role and account group the user's IdP groups give (highest role wins), or None."""
    mine = set(groups)
    best: tuple[Role, str | None] | None = None
    for name, grant in cfg.groups.items():
        if name not in mine:
            continue
        role = Role(grant.role)
        if best is None or role > best[0]:
            best = (role, grant.accounts)
    return best


def _claim_list(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


@router.get("/login")
async def oidc_login(request: Request, next: str = "/") -> RedirectResponse:
    cfg = _oidc(request)
    request.session["oidc_next"] = safe_next(next)
    redirect_uri = str(request.url_for("oidc_callback"))
    response: RedirectResponse = await _client(request, cfg).authorize_redirect(request, redirect_uri)
    return response


@router.get("/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> RedirectResponse:
    cfg = _oidc(request)
    from authlib.integrations.base_client.errors import OAuthError

    try:
        token = await _client(request, cfg).authorize_access_token(request)
    except OAuthError as exc:
        log.warning("OIDC sign-in failed: %s", exc)
        raise HTTPException(status_code=400, detail=f"single sign-on failed: {exc.error}") from None
    claims: Mapping[str, Any] = token.get("userinfo") or {}
    name = str(claims.get(cfg.username_claim) or claims.get("email") or claims.get("sub") or "")
    granted = map_groups(cfg, _claim_list(claims, cfg.group_claim))
    if not name or granted is None:
        log.warning("OIDC sign-in refused for %r: no configured group in %r", name, cfg.group_claim)
        raise HTTPException(status_code=403, detail="your account is in none of the groups allowed to use mamori")
    role, group = granted
    users = request.app.state.users
    existing = users.user(name)
    if existing is not None and existing.disabled:
        raise HTTPException(status_code=403, detail="this user is disabled in mamori")
    try:
        user = users.sso_user(name, role=role, account_group=group, now=request.app.state.settings.clock())
    except InputError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    target = safe_next(request.session.get("oidc_next"))
    start_session(request, user.name, "oidc")
    return RedirectResponse(target, status_code=303)
