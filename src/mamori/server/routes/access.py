"""Just-in-time access (issue 17): requests, approvals, active grants, runbook reviews.

    GET  /access                               the page: requests, a new-request form, active grants, runbooks
    POST /access/requests                      new request (form; analyst and up; the requester is you)
    POST /access/requests/{request_id}/{verb}  approve | deny | revoke | review-close (form)
    GET  /access/approve/{token}               a one-click link from a notification: shows the request
    POST /access/approve/{token}               approves it, only for the signed-in approver the link names
    POST /access/runbooks/{name}/approve       runbook review (not the author)
    GET  /api/access/requests[/{request_id}]   JSON; POST /api/access/requests, .../{request_id}/{verb}
    GET  /api/access/grants, /api/access/runbooks

Scoping: a user limited to an account group sees (and acts on) only requests whose accounts
are all in the group; runbooks (whose steps name resources in any account) are listed to
unscoped users only. Approving needs the analyst role *and* a name in the request's approvers;
a viewer cannot approve.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from mamori.access import runbooks, service
from mamori.access.links import read_token
from mamori.access.model import AccessRefused, AccessRequest, GrantError
from mamori.config import Config
from mamori.errors import InputError, MamoriError
from mamori.findings import Store
from mamori.server.deps import current_principal, get_config, get_store, require
from mamori.server.templating import render
from mamori.users import Principal, Role

router = APIRouter(tags=["access"])
log = logging.getLogger("mamori.server.access")
VERBS = ("approve", "deny", "revoke", "review-close")


def _granter(request: Request, cfg: Config) -> Any:
    """The app's granter (tests inject one), else one built from ``schedules.aws`` (profile, endpoint)."""
    injected = getattr(request.app.state, "access_granter", None)
    if injected is not None:
        return injected
    from mamori.access.granters import granter_for
    from mamori.collect.aws.session import AwsTarget, ClientFactory, default_session_factory

    aws = cfg.schedules.aws
    target = AwsTarget(profile=aws.profile, endpoint_url=aws.endpoint_url, home_region=cfg.access.identity_center.region, workers=2)
    return granter_for(cfg.access, ClientFactory(default_session_factory(target)(), target).client)


def _visible(principal: Principal, req: AccessRequest) -> bool:
    return principal.accounts is None or set(req.accounts) <= principal.accounts


def _get(store: Store, principal: Principal, request_id: str) -> AccessRequest:
    try:
        req = service.get(store.engine, request_id[:40])
    except InputError:
        raise HTTPException(status_code=404, detail="no such access request") from None
    if not _visible(principal, req):
        raise HTTPException(status_code=404, detail="no such access request")
    return req


def _error(exc: MamoriError) -> HTTPException:
    if isinstance(exc, AccessRefused):
        return HTTPException(status_code=403, detail=str(exc))
    if isinstance(exc, InputError):
        return HTTPException(status_code=400, detail=str(exc))
    return HTTPException(status_code=502, detail=f"the cloud refused: {exc}")


def _now(request: Request) -> Any:
    return request.app.state.settings.clock()


def _act(request: Request, store: Store, cfg: Config, principal: Principal, request_id: str, verb: str, note: str = "") -> AccessRequest:
    if verb not in VERBS:
        raise HTTPException(status_code=404, detail="unknown action")
    _get(store, principal, request_id)
    if not principal.at_least(Role.ANALYST):
        raise HTTPException(status_code=403, detail=f"this needs the analyst role (you are {principal.role.value})")
    now, who = _now(request), principal.name
    try:
        if verb == "approve":
            return service.approve(store.engine, request_id, actor=who, now=now, granter=_granter(request, cfg))
        if verb == "deny":
            return service.deny(store.engine, request_id, actor=who, now=now, note=note)
        if verb == "revoke":
            return service.end(store.engine, request_id, actor=who, now=now, granter=_granter(request, cfg), reason="revoked")
        return service.review_close(store.engine, request_id, actor=who, now=now, note=note)
    except (InputError, GrantError) as exc:
        raise _error(exc) from None


def _new(request: Request, store: Store, cfg: Config, principal: Principal, data: dict[str, Any]) -> AccessRequest:
    accounts = [a.strip() for a in str(data.get("accounts", "")).split(",") if a.strip()]
    if principal.accounts is not None and not set(accounts) <= principal.accounts:
        raise HTTPException(status_code=403, detail="you can request access to your own accounts only")
    new = service.NewRequest(principal.name, accounts, str(data.get("permission_set", ""))[:200], str(data.get("duration", ""))[:10],
                             str(data.get("reason", ""))[:2000], str(data.get("ticket") or "")[:200] or None,
                             str(data.get("finding") or "")[:200] or None)  # fmt: skip
    try:
        req = service.request_access(store.engine, cfg.access, new, now=_now(request), groups=cfg.account_groups)
    except InputError as exc:
        raise _error(exc) from None
    _notify(request, cfg, req)
    return req


def _notify(request: Request, cfg: Config, req: AccessRequest) -> None:
    """Tell the approvers, with one-click links when ``access.base_url`` is set (a failed channel is logged)."""
    from mamori.access.links import approve_url
    from mamori.access.notify import build as build_notifiers
    from mamori.access.notify import message, send

    key, base = request.app.state.secret_key, cfg.access.base_url
    links = (lambda rid, who: approve_url(base, key, rid, who)) if base else None
    try:
        _, result = send(message(req, links), build_notifiers(cfg.access.notify, cfg.notifications.channels))
    except InputError as exc:  # an unknown channel name: the request stands, the approvers were not told
        result = f"not sent: {exc}"
    log.info("access request %s: %s", req.id, result)


@router.get("/api/access/requests")
def api_requests(
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
    status: list[str] = Query(default=[], max_length=6),
) -> dict[str, Any]:  # fmt: skip
    items = [r for r in service.list_requests(store.engine, status=[s[:16] for s in status]) if _visible(principal, r)]
    return {"items": [r.to_dict() for r in items]}


@router.get("/api/access/requests/{request_id}")
def api_request(request_id: str, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> dict[str, Any]:
    return _get(store, principal, request_id).to_dict()


@router.post("/api/access/requests", status_code=201)
def api_new(
    request: Request, body: dict[str, Any] = Body(...), principal: Principal = Depends(require(Role.ANALYST)),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    if isinstance(body.get("accounts"), list):
        body = {**body, "accounts": ",".join(str(a) for a in body["accounts"][:60])}
    return _new(request, store, cfg, principal, body).to_dict()


@router.post("/api/access/requests/{request_id}/{verb}")
def api_act(
    request: Request, request_id: str, verb: str, body: dict[str, Any] | None = Body(None),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    note = str((body or {}).get("note", ""))[:2000]
    return _act(request, store, cfg, principal, request_id, verb, note).to_dict()


@router.get("/api/access/grants")
def api_grants(request: Request, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> dict[str, Any]:
    grants = [g for g in service.active_grants(store.engine, _now(request)) if principal.sees(g.account)]
    return {"items": [g.to_dict() for g in grants]}


@router.get("/api/access/runbooks")
def api_runbooks(principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> dict[str, Any]:
    if principal.accounts is not None:
        return {"items": []}
    return {"items": [r.to_dict() for r in runbooks.list_runbooks(store.engine)]}


@router.get("/access", response_class=HTMLResponse, include_in_schema=False)
def access_page(
    request: Request, principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
    cfg: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    items = [r for r in service.list_requests(store.engine, limit=200) if _visible(principal, r)]
    grants = [g for g in service.active_grants(store.engine, _now(request)) if principal.sees(g.account)]
    books = runbooks.list_runbooks(store.engine) if principal.accounts is None else []
    return render(request, "access.html", requests=items, grants=grants, runbooks=books,
                  permission_sets=sorted(cfg.access.permission_sets), can_act=principal.at_least(Role.ANALYST))  # fmt: skip


@router.post("/access/requests", include_in_schema=False)
def form_new(
    request: Request, accounts: str = Form(max_length=700), permission_set: str = Form(max_length=200),
    duration: str = Form(max_length=10), reason: str = Form(max_length=2000), ticket: str = Form("", max_length=200),
    finding: str = Form("", max_length=200), principal: Principal = Depends(require(Role.ANALYST)),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> RedirectResponse:  # fmt: skip
    data = {"accounts": accounts, "permission_set": permission_set, "duration": duration, "reason": reason,
            "ticket": ticket, "finding": finding}  # fmt: skip
    _new(request, store, cfg, principal, data)
    return RedirectResponse("/access", status_code=303)


@router.post("/access/requests/{request_id}/{verb}", include_in_schema=False)
def form_act(
    request: Request, request_id: str, verb: str, note: str = Form("", max_length=2000),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> RedirectResponse:  # fmt: skip
    _act(request, store, cfg, principal, request_id, verb, note)
    return RedirectResponse("/access", status_code=303)


@router.post("/access/runbooks/{name}/approve", include_in_schema=False)
def form_runbook_approve(
    request: Request, name: str, principal: Principal = Depends(require(Role.ANALYST)), store: Store = Depends(get_store),
) -> RedirectResponse:  # fmt: skip
    if principal.accounts is not None:
        raise HTTPException(status_code=403, detail="runbooks are reviewed by users who see every account")
    try:
        runbooks.approve(store.engine, name[:100], actor=principal.name, now=_now(request))
    except InputError as exc:
        raise _error(exc) from None
    return RedirectResponse("/access", status_code=303)


def _claim(request: Request, token: str, principal: Principal) -> Any:
    try:
        claim = read_token(request.app.state.secret_key, token)
    except InputError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    if claim.approver != principal.name:
        raise HTTPException(status_code=403, detail="this approval link was sent to another approver")
    return claim


@router.get("/access/approve/{token}", response_class=HTMLResponse, include_in_schema=False)
def link_page(
    request: Request, token: str, principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> HTMLResponse:  # fmt: skip
    claim = _claim(request, token, principal)
    return render(request, "access_approve.html", req=_get(store, principal, claim.request_id), token=token)


@router.post("/access/approve/{token}", include_in_schema=False)
def link_approve(
    request: Request, token: str, principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
    cfg: Config = Depends(get_config),
) -> RedirectResponse:  # fmt: skip
    claim = _claim(request, token, principal)
    _act(request, store, cfg, principal, claim.request_id, "approve")
    return RedirectResponse("/access", status_code=303)
