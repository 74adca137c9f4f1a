"""The caller, and the users and tokens admin API.

    GET    /api/v1/me                      who am I, my role, the accounts I see
    GET    /api/v1/users                   admin
    POST   /api/v1/users                   admin: {name, role, accounts?, password?} -> 201
    POST   /api/v1/users/{name}/disable    admin (and /enable)
    GET    /api/v1/tokens                  my tokens (admin: everybody's, or ?user=)
    POST   /api/v1/tokens                  {user?, expires?, label?} -> 201 with the token, shown once
                                           (a token for somebody else: admin)
    DELETE /api/v1/tokens/{id}             revoke (my own; admin: any)

Every change is in the audit log with the acting user (mamori.users.service).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from mamori.errors import InputError
from mamori.server.deps import current_principal, get_users, require
from mamori.users import Principal, Role
from mamori.users.service import UserStore, parse_duration

router = APIRouter(prefix="/api/v1", tags=["users"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "analyst", "admin"]
    accounts: str | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str | None = Field(default=None, max_length=200)
    expires: str = Field(default="30d", max_length=20)
    label: str = Field(default="", max_length=200)


def _bad(exc: InputError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(exc))


@router.get("/me")
def me(principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return {
        "name": principal.name,
        "role": principal.role.value,
        "accounts": principal.group,
        "visible_accounts": sorted(principal.accounts) if principal.accounts is not None else None,
        "via": principal.via,
    }


@router.get("/users")
def list_users(
    _: Principal = Depends(require(Role.ADMIN)), users: UserStore = Depends(get_users)
) -> dict[str, Any]:
    return {"items": [u.to_dict() for u in users.users()], "next_cursor": None}


@router.post("/users", status_code=201)
def add_user(
    body: NewUser, principal: Principal = Depends(require(Role.ADMIN)), users: UserStore = Depends(get_users)
) -> dict[str, Any]:
    try:
        u = users.add_user(body.name, role=Role(body.role), password=body.password, account_group=body.accounts,
                           actor=principal.name)  # fmt: skip
    except InputError as exc:
        raise _bad(exc) from None
    return u.to_dict()


@router.post("/users/{name}/disable")
def disable_user(
    name: str, principal: Principal = Depends(require(Role.ADMIN)), users: UserStore = Depends(get_users)
) -> dict[str, Any]:
    if users.user(name) is None:
        raise HTTPException(status_code=404, detail=f"no user {name!r}")
    return users.set_disabled(name, True, actor=principal.name).to_dict()


@router.post("/users/{name}/enable")
def enable_user(
    name: str, principal: Principal = Depends(require(Role.ADMIN)), users: UserStore = Depends(get_users)
) -> dict[str, Any]:
    if users.user(name) is None:
        raise HTTPException(status_code=404, detail=f"no user {name!r}")
    return users.set_disabled(name, False, actor=principal.name).to_dict()


@router.get("/tokens")
def list_tokens(
    request: Request, user: str | None = None, principal: Principal = Depends(current_principal),
    users: UserStore = Depends(get_users),
) -> dict[str, Any]:  # fmt: skip
    if not principal.at_least(Role.ADMIN):
        if user not in (None, principal.name):
            raise HTTPException(status_code=403, detail="only an admin sees other users' tokens")
        user = principal.name
    now = request.app.state.settings.clock()
    return {"items": [t.to_dict(now) for t in users.tokens(user)], "next_cursor": None}


@router.post("/tokens", status_code=201)
def create_token(
    request: Request, body: NewToken, principal: Principal = Depends(current_principal),
    users: UserStore = Depends(get_users),
) -> dict[str, Any]:  # fmt: skip
    owner = body.user or principal.name
    if owner != principal.name and not principal.at_least(Role.ADMIN):
        raise HTTPException(status_code=403, detail="only an admin creates tokens for other users")
    now = request.app.state.settings.clock()
    try:
        token, text = users.create_token(owner, actor=principal.name, expires=parse_duration(body.expires),
                                         label=body.label, now=now)  # fmt: skip
    except InputError as exc:
        raise _bad(exc) from None
    return {**token.to_dict(now), "token": text}


@router.delete("/tokens/{token_id}")
def revoke_token(
    request: Request, token_id: str, principal: Principal = Depends(current_principal),
    users: UserStore = Depends(get_users),
) -> dict[str, Any]:  # fmt: skip
    found = users.token(token_id)
    if found is None or (found.user != principal.name and not principal.at_least(Role.ADMIN)):
        raise HTTPException(status_code=404, detail=f"no token {token_id!r}")
    now = request.app.state.settings.clock()
    return users.revoke_token(token_id, actor=principal.name, now=now).to_dict(now)
