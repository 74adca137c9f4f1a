"""Standards: each standard's score and coverage, every control (machine / attested / not covered), attest from the page.

Attesting (analyst or admin) goes through :func:`mamori.standards.service.attest_control`: the
same checks as ``mamori attest``, audited as ``standards.attest`` with the acting user. A user
scoped to some accounts attests for one of those accounts only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mamori.catalog import standards
from mamori.errors import InputError
from mamori.findings import Store
from mamori.report.overview import standard_scores
from mamori.server.deps import current_principal, get_store, require
from mamori.server.templating import render
from mamori.server.views import now, rules
from mamori.standards.attestation import ALL_ACCOUNTS
from mamori.standards.service import StandardStatus, attest_control, standard_status
from mamori.users import Principal, Role

router = APIRouter(tags=["standards"])


def _status(request: Request, store: Store, standard_id: str, principal: Principal) -> StandardStatus:
    if standard_id not in standards():
        raise HTTPException(status_code=404, detail="no such standard (see /api/v1/standards)")
    return standard_status(store.engine, standard_id, accounts=principal.accounts, now=now(request))


def _summary(request: Request, store: Store, principal: Principal) -> list[dict[str, Any]]:
    scores = {s.standard: s for s in standard_scores(store, accounts=principal.accounts, now=now(request))}
    out = []
    for sid in standards():
        st = _status(request, store, sid, principal)
        out.append({**{k: v for k, v in st.to_dict().items() if k != "controls"}, "score": scores[sid].to_dict()})
    return out


def _mapping(request: Request) -> dict[str, dict[str, list[str]]] | None:
    rs = rules(request)
    return None if rs is None else {r.id: {k: list(v) for k, v in r.spec.controls.items()} for r in rs}


@router.get("/standards", response_class=HTMLResponse, include_in_schema=False)
def standards_page(request: Request, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> HTMLResponse:
    return render(request, "standards.html", items=_summary(request, store, principal))


@router.get("/standards/{standard_id}", response_class=HTMLResponse, include_in_schema=False)
def standard_page(
    request: Request, standard_id: str, attested: str | None = Query(None, max_length=40),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> HTMLResponse:  # fmt: skip
    return _standard_html(request, store, standard_id, principal, message=f"attestation recorded for {attested}" if attested else None)


def _standard_html(
    request: Request, store: Store, standard_id: str, principal: Principal, *, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    st = _status(request, store, standard_id, principal)
    score = next(s for s in standard_scores(store, accounts=principal.accounts, now=now(request)) if s.standard == standard_id)
    attestable = [s for s in st.states if s.attestable]
    accounts = [ALL_ACCOUNTS] if principal.accounts is None else sorted(principal.accounts)
    ctx.setdefault("message", None)
    ctx.setdefault("error", None)
    return render(request, "standard.html", status_code=status_code, st=st, score=score, attestable=attestable,
                  attest_accounts=accounts, can_attest=principal.at_least(Role.ANALYST), **ctx)  # fmt: skip


@router.post("/standards/{standard_id}/attest", response_class=HTMLResponse, include_in_schema=False, response_model=None)
def attest_form(
    request: Request, standard_id: str, control: str = Form(max_length=40), evidence: str = Form(max_length=2000),
    expires: str = Form(max_length=40), account: str = Form(ALL_ACCOUNTS, max_length=40),
    principal: Principal = Depends(require(Role.ANALYST)), store: Store = Depends(get_store),
) -> Response:  # fmt: skip
    if standard_id not in standards():
        raise HTTPException(status_code=404, detail="no such standard")
    try:
        attest_control(store.engine, standard=standard_id, control=control, evidence=evidence, expires=expires, actor=principal.name,
                       account=account, accounts=principal.accounts, rule_controls=_mapping(request), now=now(request))  # fmt: skip
    except InputError as exc:
        return _standard_html(request, store, standard_id, principal, status_code=400, error=str(exc))
    return RedirectResponse(f"/standards/{standard_id}?attested={quote(control)}", status_code=303)


@router.get("/api/v1/standards")
def standards_api(request: Request, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)) -> dict[str, Any]:
    """Each standard over the visible accounts: score (latest, previous, trend) and coverage (machine / attested / not covered)."""
    return {"items": _summary(request, store, principal), "next_cursor": None}


@router.get("/api/v1/standards/{standard_id}")
def standard_api(
    request: Request, standard_id: str, principal: Principal = Depends(current_principal), store: Store = Depends(get_store)
) -> dict[str, Any]:
    """Every control of one standard: coverage, status, rules and their results, the attestation that counts."""
    return _status(request, store, standard_id, principal).to_dict()


class AttestationIn(BaseModel):
    standard: str = Field(default="baseline", max_length=40)
    control: str = Field(max_length=40)
    evidence: str = Field(max_length=2000)
    expires: str = Field(max_length=40, description="2027-03-31, an ISO time, or 90d / 12w / 6m / 1y")
    account: str = Field(default=ALL_ACCOUNTS, max_length=40, description="one account id, or * for the organisation")
    by: str | None = Field(default=None, max_length=200, description="who vouches (default: the acting user)")


@router.post("/api/v1/attestations", status_code=201)
def attest_api(
    request: Request, body: AttestationIn, principal: Principal = Depends(require(Role.ANALYST)), store: Store = Depends(get_store)
) -> dict[str, Any]:
    """Record an attestation (analyst, admin); audited as ``standards.attest`` with the acting user."""
    if body.standard not in standards():
        raise HTTPException(status_code=404, detail="no such standard")
    t = now(request)
    try:
        att = attest_control(store.engine, standard=body.standard, control=body.control, evidence=body.evidence, expires=body.expires,
                             actor=principal.name, by=body.by, account=body.account, accounts=principal.accounts,
                             rule_controls=_mapping(request), now=t)  # fmt: skip
    except InputError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return att.to_dict(t)
