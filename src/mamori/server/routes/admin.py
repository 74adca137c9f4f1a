"""/admin/users: users and API tokens in the browser (admin only); every form carries the CSRF token.

The token list is an HTMX partial: revoking a token swaps only the table.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mamori.errors import InputError
from mamori.server.deps import get_users, require
from mamori.server.templating import is_htmx, render
from mamori.users import Principal, Role
from mamori.users.service import UserStore, parse_duration

router = APIRouter(prefix="/admin", tags=["admin"], include_in_schema=False)


def _page(request: Request, users: UserStore, *, status_code: int = 200, **ctx: object) -> HTMLResponse:
    now = request.app.state.settings.clock()
    return render(request, "admin_users.html", status_code=status_code, users=users.users(),
                  tokens=[t.to_dict(now) for t in users.tokens()], roles=[r.value for r in Role],
                  groups=sorted(request.app.state.config.account_groups), **ctx)  # fmt: skip


@router.get("/users", response_class=HTMLResponse)
def users_page(
    request: Request, _: Principal = Depends(require(Role.ADMIN)), users: UserStore = Depends(get_users)
) -> HTMLResponse:
    return _page(request, users)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request, name: str = Form(max_length=200), role: str = Form(), accounts: str = Form(""),
    password: str = Form(max_length=1024), principal: Principal = Depends(require(Role.ADMIN)),
    users: UserStore = Depends(get_users),
) -> HTMLResponse:  # fmt: skip
    try:
        users.add_user(name, role=Role.parse(role), password=password, account_group=accounts or None,
                       actor=principal.name)  # fmt: skip
    except InputError as exc:
        return _page(request, users, status_code=400, error=str(exc))
    return _page(request, users, message=f"user {name} added")


@router.post("/users/{name}/disable")
def disable_user(
    name: str, principal: Principal = Depends(require(Role.ADMIN)), users: UserStore = Depends(get_users)
) -> RedirectResponse:
    if users.user(name) is None:
        raise HTTPException(status_code=404, detail=f"no user {name!r}")
    users.set_disabled(name, True, actor=principal.name)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, user: str = Form(max_length=200), expires: str = Form("30d", max_length=20),
    label: str = Form("", max_length=200), principal: Principal = Depends(require(Role.ADMIN)),
    users: UserStore = Depends(get_users),
) -> HTMLResponse:  # fmt: skip
    try:
        _, text = users.create_token(user, actor=principal.name, expires=parse_duration(expires), label=label,
                                     now=request.app.state.settings.clock())  # fmt: skip
    except InputError as exc:
        return _page(request, users, status_code=400, error=str(exc))
    return _page(request, users, new_token=text, message=f"token for {user} created: copy it now, it is not shown again")


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse, response_model=None)
def revoke_token(
    request: Request, token_id: str, principal: Principal = Depends(require(Role.ADMIN)),
    users: UserStore = Depends(get_users),
) -> HTMLResponse | RedirectResponse:  # fmt: skip
    if users.token(token_id) is None:
        raise HTTPException(status_code=404, detail=f"no token {token_id!r}")
    users.revoke_token(token_id, actor=principal.name, now=request.app.state.settings.clock())
    if is_htmx(request):
        now = request.app.state.settings.clock()
        return render(request, "admin_tokens.html", tokens=[t.to_dict(now) for t in users.tokens()])
    return RedirectResponse("/admin/users", status_code=303)
