"""Findings: the list (filters, search, cursor pages, bulk actions), the detail page, the findings and suppressions API.

Thin: every query and change is a service of :mod:`mamori.hub.page` and :mod:`mamori.hub.bulk`
(the CLI uses the same), called with the accounts the principal sees, resolved once per
request. A finding of an account the user cannot see answers 404, like one that does not
exist.

    GET  /findings                       page (HX-Request: only the results block)
    GET  /findings/{finding_id}          detail: evidence, history, why it matters, how to fix, remediation
    POST /findings/bulk/suppress         HTMX form: the current filter + reason, approver, expires (analyst)
    POST /findings/bulk/assign           HTMX form: the current filter + new_owner (analyst)
    POST /findings/{finding_id}/suppress form on the detail page (analyst)
    GET  /api/v1/findings                ?status=&severity=&account=&region=&rule=&owner=&source=&overdue=&q=&limit=&cursor=
    GET  /api/v1/findings/{finding_id}
    POST /api/v1/findings/bulk/suppress  {"filter": {...}, "reason", "approver", "expires"}  (analyst)
    POST /api/v1/findings/bulk/assign    {"filter": {...}, "owner"}                          (analyst)
    GET  /api/v1/suppressions            ?all=&limit=&cursor=
    POST /api/v1/suppressions            {"rule", "resource", "reason", "approver", "expires", ...} -> 201 (analyst)

The HTML never reflects request parameters: the filter form is restored from the URL by
``static/findings.js``, and the "next page" request includes the form (``hx-include``).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mamori.config import Config
from mamori.errors import InputError
from mamori.findings import Store
from mamori.hub import bulk
from mamori.hub import page as pages
from mamori.hub.view import HubFinding
from mamori.remediate.repo import RemediationStore
from mamori.rules.loader import Rule, load_rule
from mamori.rules.refs import rule_files
from mamori.server.deps import current_principal, get_config, get_store, require
from mamori.server.templating import is_htmx, render
from mamori.users import Principal, Role

router = APIRouter(tags=["findings"])

NOT_FOUND = "no such finding (or not one you can see)"
SEVERITIES = ("critical", "high", "medium", "low", "informational")
STATUSES = ("open", "all", "new", "notified", "resolved", "suppressed")
SOURCES = ("mamori", "securityhub", "inspector", "guardduty", "prowler")


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.settings.clock()
    return now


def _params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in request.query_params.multi_items():
        if k in pages.FILTER_KEYS:
            out.setdefault(k, []).append(v)
    return out


def _query(values: dict[str, list[str]]) -> pages.FindingsQuery:
    try:
        return pages.parse_query(values)
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def _page(request: Request, store: Store, cfg: Config, principal: Principal, limit: int | None, cursor: str | None) -> pages.FindingsPage:
    try:
        return pages.page(store, _query(_params(request)), cfg.owners, cfg.sla, accounts=principal.accounts, limit=limit,
                          cursor=cursor, now=_now(request))  # fmt: skip
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def _visible_finding(request: Request, store: Store, cfg: Config, principal: Principal, finding_id: str) -> HubFinding:
    h = pages.get(store, finding_id, cfg.owners, cfg.sla, accounts=principal.accounts, now=_now(request))
    if h is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return h


# -- rule texts (why it matters, how to fix), read once per rule file ---------------------


@lru_cache(maxsize=8)
def _rule_index(paths: tuple[str, ...]) -> dict[str, Path]:
    return rule_files([Path(p) for p in paths])


@lru_cache(maxsize=1024)
def _load_rule(path: Path, mtime: float) -> Rule | None:
    try:
        return load_rule(path)
    except (InputError, OSError):
        return None


def rule_doc(cfg: Config, rule_id: str) -> dict[str, Any] | None:
    """The rule's title, rationale, remediation and controls (None for rules of imported tools)."""
    path = _rule_index(tuple(str(p) for p in cfg.rule_paths)).get(rule_id)
    if path is None:
        return None
    try:
        rule = _load_rule(path, path.stat().st_mtime)
    except OSError:
        return None
    if rule is None:
        return None
    s = rule.spec
    return {"title": s.title, "rationale": s.rationale.strip(), "remediation": s.remediation.strip(),
            "controls": {k: list(v) for k, v in s.controls.items()}}  # fmt: skip


def _detail(request: Request, store: Store, cfg: Config, h: HubFinding) -> dict[str, Any]:
    doc = h.to_dict()
    doc["history"] = [{**r, "at": r["at"].isoformat()} for r in store.history(h.finding.id)]
    doc["rule"] = rule_doc(cfg, h.finding.rule_id)
    doc["remediation_changes"] = [c.to_dict() for c in RemediationStore(store.engine).changes_for(finding_id=h.finding.id)]
    return doc


# -- API ---------------------------------------------------------------------------------


@router.get("/api/v1/findings")
def api_findings(
    request: Request,
    status: str | None = Query(None, description="open (default), all, new, notified, resolved, suppressed; commas for several"),
    severity: str | None = Query(None, description="critical, high, medium, low, informational; commas for several"),
    account: str | None = Query(None), region: str | None = Query(None), rule: str | None = Query(None),
    owner: str | None = Query(None), source: str | None = Query(None), overdue: bool = Query(False),
    q: str | None = Query(None, max_length=pages.MAX_Q, description="in title, resource id or ARN, rule id"),
    limit: int = Query(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT), cursor: str | None = Query(None, max_length=200),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Findings worst first, a page at a time: pass ``next_cursor`` back as ``cursor`` for the next page."""
    p = _page(request, store, cfg, principal, limit, cursor)
    return {"items": [h.to_dict() for h in p.items], "next_cursor": p.next_cursor}


@router.get("/api/v1/findings/{finding_id}")
def api_finding(
    request: Request, finding_id: str, principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """One finding with its history, its rule's rationale and remediation, and planned or applied fixes."""
    return _detail(request, store, cfg, _visible_finding(request, store, cfg, principal, finding_id))


class FilterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str | list[str] | None = None
    severity: str | list[str] | None = None
    min_severity: str | None = None
    account: str | list[str] | None = None
    region: str | list[str] | None = None
    rule: str | list[str] | None = None
    type: str | list[str] | None = None
    source: str | list[str] | None = None
    owner: str | list[str] | None = None
    overdue: bool = False
    q: str | None = Field(default=None, max_length=pages.MAX_Q)

    def query(self) -> pages.FindingsQuery:
        values: dict[str, list[str]] = {}
        for k, v in self.model_dump(exclude_none=True).items():
            if k == "overdue":
                values[k] = ["true"] if v else []
            else:
                values[k] = [str(x) for x in v] if isinstance(v, list) else [str(v)]
        return _query(values)


class BulkSuppressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filter: FilterIn = Field(default_factory=lambda: FilterIn())
    reason: str = Field(min_length=1, max_length=bulk.MAX_REASON)
    approver: str = Field(min_length=1, max_length=bulk.MAX_NAME)
    expires: str = Field(min_length=1, max_length=40, description="30d, 12h, 2w, 2026-12-31 or an ISO datetime")


class BulkAssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filter: FilterIn = Field(default_factory=lambda: FilterIn())
    owner: str | None = Field(None, max_length=bulk.MAX_NAME, description="a team; null or empty: back to the owners mapping")


class SuppressionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str | None = Field(None, max_length=200)
    resource: str | None = Field(None, max_length=2048, description="exact resource id or ARN")
    account: str | None = Field(None, max_length=40)
    region: str | None = Field(None, max_length=40)
    finding: str | None = Field(None, max_length=64, description="one finding's id")
    tags: dict[str, str] = Field(default_factory=dict, max_length=20)
    reason: str = Field(min_length=1, max_length=bulk.MAX_REASON)
    approver: str = Field(min_length=1, max_length=bulk.MAX_NAME)
    expires: str = Field(min_length=1, max_length=40, description="30d, 12h, 2w, 2026-12-31 or an ISO datetime")


def _unprocessable(exc: InputError) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


@router.post("/api/v1/findings/bulk/suppress")
def api_bulk_suppress(
    request: Request, body: BulkSuppressIn, principal: Principal = Depends(require(Role.ANALYST)),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Suppress every open finding of the filter (that you can see): one audited action."""
    try:
        res = bulk.bulk_suppress(store, body.filter.query(), cfg.owners, cfg.sla, reason=body.reason, approver=body.approver,
                                 expires=body.expires, actor=principal.name, accounts=principal.accounts, now=_now(request))  # fmt: skip
    except InputError as exc:
        raise _unprocessable(exc) from None
    return res.to_dict()


@router.post("/api/v1/findings/bulk/assign")
def api_bulk_assign(
    request: Request, body: BulkAssignIn, principal: Principal = Depends(require(Role.ANALYST)),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Make ``owner`` the owner of every finding of the filter (that you can see): one audited action."""
    try:
        res = bulk.assign_owner(store, body.filter.query(), cfg.owners, cfg.sla, owner=body.owner, actor=principal.name,
                                accounts=principal.accounts, now=_now(request))  # fmt: skip
    except InputError as exc:
        raise _unprocessable(exc) from None
    return res.to_dict()


@router.get("/api/v1/suppressions")
def api_suppressions(
    request: Request, all: bool = Query(False, description="include expired and removed ones"),
    limit: int = Query(100, ge=1, le=1000), cursor: str | None = Query(None, max_length=100),
    principal: Principal = Depends(current_principal), store: Store = Depends(get_store),
) -> dict[str, Any]:  # fmt: skip
    """Suppressions in id order; a user who sees some accounts sees those pinned to them."""
    now = _now(request)
    items, nxt = bulk.list_suppressions(store, accounts=principal.accounts, include_inactive=all, limit=limit, cursor=cursor, now=now)
    return {"items": [{**s.to_dict(), "active": s.active(now)} for s in items], "next_cursor": nxt}


def _add(request: Request, store: Store, cfg: Config, principal: Principal, req: bulk.SuppressionRequest) -> dict[str, Any]:
    s, ids = bulk.add_suppression(store, req, actor=principal.name, accounts=principal.accounts, now=_now(request),
                                  known_rules=bulk.known_rules(store, cfg.rule_paths, req.rule))  # fmt: skip
    return {"suppression": s.to_dict(), "suppressed": ids}


@router.post("/api/v1/suppressions", status_code=201)
def api_add_suppression(
    request: Request, body: SuppressionIn, principal: Principal = Depends(require(Role.ANALYST)),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> dict[str, Any]:  # fmt: skip
    """Suppress findings by exact selectors (rule, resource, account, region, finding, tags) until ``expires``."""
    req = bulk.SuppressionRequest(body.reason, body.approver, body.expires, body.rule, body.resource, body.account,
                                  body.region, body.finding, dict(body.tags))  # fmt: skip
    try:
        return _add(request, store, cfg, principal, req)
    except InputError as exc:
        raise _unprocessable(exc) from None


# -- pages -------------------------------------------------------------------------------


def _choices(cfg: Config) -> dict[str, Any]:
    return {"severities": SEVERITIES, "statuses": STATUSES, "sources": SOURCES,
            "teams": sorted({cfg.owners.default, *cfg.owners.accounts.values()})}  # fmt: skip


COUNT_CAP = 10_000  # the page says "10,000+ findings match" beyond this (an exact count of 200,000 took ~0.4 s)


@router.get("/findings", response_class=HTMLResponse, include_in_schema=False)
def findings_page(
    request: Request, cursor: str | None = Query(None, max_length=200), principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    p = _page(request, store, cfg, principal, pages.DEFAULT_LIMIT, cursor)
    total = None
    if not cursor:
        total = pages.count(store, _query(_params(request)), cfg.owners, cfg.sla, accounts=principal.accounts, now=_now(request),
                            cap=COUNT_CAP)  # fmt: skip
    can_act = principal.at_least(Role.ANALYST)
    template = "findings_results.html" if is_htmx(request) else "findings.html"
    return render(request, template, page=p, total=total, cap=COUNT_CAP, cursor=cursor, can_act=can_act, **_choices(cfg))


def _bulk_reply(request: Request, message: str, *, error: bool = False) -> HTMLResponse:
    resp = render(request, "findings_bulk_result.html", message=message, error=error)
    if not error:
        resp.headers["HX-Trigger"] = "findings-changed"
    return resp


async def _form(request: Request) -> tuple[pages.FindingsQuery, dict[str, str]]:
    if not is_htmx(request):
        raise HTTPException(status_code=400, detail="bulk actions are sent by the findings page (with its current filter)")
    form = await request.form()
    values: dict[str, list[str]] = {}
    fields: dict[str, str] = {}
    for k, v in form.multi_items():
        if not isinstance(v, str):
            continue
        if k in pages.FILTER_KEYS:
            values.setdefault(k, []).append(v)
        else:
            fields[k] = v
    try:
        return pages.parse_query(values), fields
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.post("/findings/bulk/suppress", response_class=HTMLResponse, include_in_schema=False)
async def bulk_suppress_form(
    request: Request, principal: Principal = Depends(require(Role.ANALYST)), store: Store = Depends(get_store),
    cfg: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    query, f = await _form(request)
    try:
        res = bulk.bulk_suppress(store, query, cfg.owners, cfg.sla, reason=f.get("reason", ""), approver=f.get("approver", ""),
                                 expires=f.get("expires", ""), actor=principal.name, accounts=principal.accounts,
                                 now=_now(request))  # fmt: skip
    except InputError as exc:
        return _bulk_reply(request, str(exc), error=True)
    until = res.expires_at.strftime("%Y-%m-%d %H:%M UTC") if res.expires_at else ""
    return _bulk_reply(request, f"Suppressed {res.findings} finding(s) until {until} ({res.subject}, audit entry {res.audit_seq}).")


@router.post("/findings/bulk/assign", response_class=HTMLResponse, include_in_schema=False)
async def bulk_assign_form(
    request: Request, principal: Principal = Depends(require(Role.ANALYST)), store: Store = Depends(get_store),
    cfg: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    query, f = await _form(request)
    try:
        res = bulk.assign_owner(store, query, cfg.owners, cfg.sla, owner=f.get("new_owner"), actor=principal.name,
                                accounts=principal.accounts, now=_now(request))  # fmt: skip
    except InputError as exc:
        return _bulk_reply(request, str(exc), error=True)
    who = res.subject or "the owners mapping"
    return _bulk_reply(request, f"Assigned {res.findings} finding(s) to {who} (audit entry {res.audit_seq}).")


def _detail_page(request: Request, store: Store, cfg: Config, principal: Principal, h: HubFinding, *, status_code: int = 200,
                 error: str | None = None, message: str | None = None) -> HTMLResponse:  # fmt: skip
    doc = _detail(request, store, cfg, h)
    return render(request, "finding.html", status_code=status_code, h=h, f=h.finding, doc=doc, error=error, message=message,
                  can_act=principal.at_least(Role.ANALYST))  # fmt: skip


@router.get("/findings/{finding_id}", response_class=HTMLResponse, include_in_schema=False)
def finding_page(
    request: Request, finding_id: str, principal: Principal = Depends(current_principal),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> HTMLResponse:  # fmt: skip
    return _detail_page(request, store, cfg, principal, _visible_finding(request, store, cfg, principal, finding_id))


@router.post("/findings/{finding_id}/suppress", response_class=HTMLResponse, include_in_schema=False, response_model=None)
async def suppress_finding_form(
    request: Request, finding_id: str, principal: Principal = Depends(require(Role.ANALYST)),
    store: Store = Depends(get_store), cfg: Config = Depends(get_config),
) -> Response:  # fmt: skip
    h = _visible_finding(request, store, cfg, principal, finding_id)
    form = await request.form()
    text = {k: v if isinstance(v, str) else "" for k, v in form.items()}
    req = bulk.SuppressionRequest(text.get("reason", ""), text.get("approver", ""), text.get("expires", ""), finding=h.finding.id)
    try:
        _add(request, store, cfg, principal, req)
    except InputError as exc:
        return _detail_page(request, store, cfg, principal, h, status_code=422, error=str(exc))
    return RedirectResponse(f"/findings/{h.finding.id}", status_code=303)


__all__ = ["router", "rule_doc"]
