"""RBAC: a user scoped to the account group ``dev`` sees nothing of the ``prod`` account, on every route.

Walks every GET route of the app (``app.routes``, so routes added later are walked too):
as a full page and as an HTMX partial, also with ``?account=<prod>`` and a search for prod's
resources; as a dev-scoped viewer (API token) and a dev-scoped admin (session cookie), and as
a user whose group is not defined (who sees no account). No response may contain prod's account id, finding ids or
resource names. Routes with path parameters are called with prod's real ids: those naming
a finding, scan or account must answer 404; any other parameter must still leak nothing.
Every state-changing route refuses a session request without the CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mamori.findings import FindingFilter, Store
from mamori.server.app import HttpRoute, http_routes
from mamori.users import Role

from .conftest import DEV, PROD

PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")
SKIP = {"/logout", "/auth/oidc/login", "/auth/oidc/callback"}  # no account data; they sign out / redirect away
OWNED = ("finding", "scan", "account", "resource")  # a parameter naming one of these must 404 for prod's id


def get_routes(app: FastAPI) -> list[HttpRoute]:
    """Every GET route of the app (``app.routes``, included routers flattened), static files aside."""
    return [r for r in http_routes(app) if "GET" in r.methods and r.path not in SKIP and not r.path.startswith("/static")]


def prod_data(store: Store) -> dict[str, list[str]]:
    findings = store.findings(FindingFilter(accounts=(PROD,)))
    assert findings, "the fixture has prod findings"
    scans = [s.id for s in store.scans(limit=100) if set(s.accounts) == {PROD}]
    assert scans
    return {
        "finding": [f.id for f in findings],
        "scan": scans,
        "account": [PROD],
        "resource": sorted({f.resource_id for f in findings}),
    }


def forbidden(data: dict[str, list[str]]) -> list[str]:
    return [PROD, *data["finding"], *data["scan"], *data["resource"]]


def candidates(param: str, data: dict[str, list[str]]) -> tuple[list[str], bool]:
    """Prod's values for a path parameter, and whether the route must 404 for them."""
    name = param.lower()
    for kind in OWNED:
        if kind in name:
            return data[kind][:3], True
    if name in ("id", "fid"):
        return data["finding"][:2] + data["scan"][:1], True
    return [data["finding"][0], data["scan"][0], PROD], False


def fill(path: str, value: str) -> str:
    return PARAM.sub(lambda m: value, path)


Variant = tuple[dict[str, str], bool]  # query parameters, HTMX request


def variants(data: dict[str, list[str]], full: bool) -> list[Variant]:
    """Plain page and its HTMX partial; with ``full`` also ``?account=<prod>`` and a search for prod's resource."""
    out: list[Variant] = [({}, False), ({}, True)]
    if full:
        out += [({"account": PROD}, False), ({"account": PROD}, True), ({"q": data["resource"][0]}, False)]
    return out


def walk(client: TestClient, app: FastAPI, data: dict[str, list[str]], full: bool) -> Iterator[tuple[str, int, str]]:
    for route in get_routes(app):
        params = PARAM.findall(route.path)
        if not params:
            for q, hx in variants(data, full):
                r = client.get(route.path, params=q, headers={"HX-Request": "true"} if hx else {})
                yield f"{route.path} {q} hx={hx}", r.status_code, r.text
            continue
        must_404 = any(candidates(p, data)[1] for p in params)
        for value in sorted({v for p in params for v in candidates(p, data)[0]}):
            r = client.get(fill(route.path, value))
            if must_404:
                assert r.status_code == 404, f"{route.path} with prod's {value}: {r.status_code}"
            yield f"{route.path} ({value})", r.status_code, r.text


# (role, group, walk through the API token with every variant, walk through the session with every variant)
CASES = [(Role.VIEWER, "dev", True, False), (Role.ADMIN, "dev", False, True), (Role.ADMIN, "nosuchgroup", False, False)]


@pytest.mark.parametrize(("role", "group", "token_full", "session_full"), CASES)
def test_a_scoped_user_sees_nothing_of_other_accounts_on_any_route(
    app: FastAPI, server_store: Store, client_as: Callable[..., TestClient],
    browser_client_as: Callable[..., TestClient], role: Role, group: str, token_full: bool, session_full: bool,
) -> None:  # fmt: skip
    data = prod_data(server_store)
    bad = forbidden(data)
    visited = 0
    for client, full in ((client_as(role, group), token_full), (browser_client_as(role, group), session_full)):
        for where, status, body in walk(client, app, data, full):
            visited += 1
            assert status < 500, f"{where}: {status}"
            leaks = [b for b in bad if b in body]
            assert not leaks, f"{where} ({status}) shows prod's {leaks[:3]}"
    assert len(get_routes(app)) >= 12 and visited >= len(get_routes(app))


def test_the_walk_catches_a_leaky_route_added_later(
    app: FastAPI, server_store: Store, client_as: Callable[..., TestClient]
) -> None:
    """The walk's own check: a route added to the app after the fact is walked, and its leak is caught."""
    data = prod_data(server_store)
    assert PROD in forbidden(data) and DEV not in forbidden(data)

    @app.get("/leaky-count")
    def leaky_count() -> dict[str, int]:  # counts per account, unfiltered: the classic leak
        return {acct: 1 for acct in (PROD, DEV)}

    client = client_as(Role.VIEWER, "dev")
    assert client.get("/api/v1/me").json()["visible_accounts"] == [DEV]
    leaks = [where for where, _, body in walk(client, app, data, False) if any(b in body for b in forbidden(data))]
    assert leaks and all(w.startswith("/leaky-count") for w in leaks)

    @app.get("/leaky/{finding_id}")
    def leaky_finding(finding_id: str) -> dict[str, str]:  # answers for any id: must be 404 for prod's
        return {"id": "hidden"}

    with pytest.raises(AssertionError, match=re.escape("/leaky/{finding_id} with prod's")):
        for _ in walk(client, app, data, False):
            pass


def test_every_state_changing_route_refuses_a_session_without_the_csrf_token(
    app: FastAPI, browser_client_as: Callable[..., TestClient]
) -> None:
    admin = browser_client_as(Role.ADMIN)
    routes = [r for r in http_routes(app) if r.methods - {"GET", "HEAD", "OPTIONS"}]
    assert routes
    for route in routes:
        for method in route.methods - {"GET", "HEAD", "OPTIONS"}:
            path = fill(route.path, "x")
            r = admin.request(method, path, data={"any": "thing"})
            assert r.status_code == 403 and "CSRF" in r.text, f"{method} {route.path}: {r.status_code}"
