"""The access pages and API: requests, approval (a viewer cannot), one-click signed links, account scoping."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mamori.access.links import make_token
from mamori.config import Config
from mamori.config.access import AccessConfig
from mamori.findings import Store
from mamori.users import Role
from tests.access.conftest import IdentityCenter, ic  # noqa: F401 - the moto Identity Center fixture

from .conftest import DEV, GROUPS, PROD, _client_factory, make_app


@pytest.fixture
def access_app(server_store: Store, ic: IdentityCenter) -> Iterator[FastAPI]:  # noqa: F811
    cfg = Config(account_groups={k: list(v) for k, v in GROUPS.items()},
                 access=AccessConfig(approvers=["bob", "carol", "vic"]))  # fmt: skip
    app = make_app(str(server_store.engine.url), cfg)
    app.state.access_granter = ic.granter()
    try:
        yield app
    finally:
        app.state.store.close()


@pytest.fixture
def api_as(access_app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    yield from _client_factory(access_app, browser=False)


@pytest.fixture
def browser_as(access_app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    yield from _client_factory(access_app, browser=True)


def _new(client: TestClient, account: str = PROD) -> str:
    r = client.post("/api/access/requests", json={"accounts": [account], "permission_set": "Operator", "duration": "1h",
                                                  "reason": "rotate the key", "ticket": "SEC-1"})  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_viewer_cannot_approve_and_an_approver_grants(api_as: Callable[..., TestClient], ic: IdentityCenter) -> None:  # noqa: F811
    alice = api_as(Role.ANALYST, name="alice")
    rid = _new(alice)
    viewer = api_as(Role.VIEWER, name="vic")  # listed as an approver, but only a viewer
    assert viewer.post(f"/api/access/requests/{rid}/approve").status_code == 403
    assert viewer.post("/api/access/requests", json={}).status_code == 403
    assert alice.post(f"/api/access/requests/{rid}/approve").status_code == 403  # self-approval
    assert api_as(Role.ADMIN, name="mallory").post(f"/api/access/requests/{rid}/approve").status_code == 403  # not an approver
    assert not ic.assigned("alice", "Operator", PROD)
    r = api_as(Role.ANALYST, name="bob").post(f"/api/access/requests/{rid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert ic.assigned("alice", "Operator", PROD)
    grants = viewer.get("/api/access/grants").json()["items"]
    assert [(g["principal"], g["account"]) for g in grants] == [("alice", PROD)]


def test_a_scoped_user_sees_no_request_for_other_accounts(api_as: Callable[..., TestClient]) -> None:
    rid = _new(api_as(Role.ANALYST, name="alice"))
    dev = api_as(Role.ANALYST, "dev", name="dave")
    assert dev.get(f"/api/access/requests/{rid}").status_code == 404
    assert dev.get("/api/access/requests").json()["items"] == []
    assert PROD not in dev.get("/access").text
    r = dev.post("/api/access/requests", json={"accounts": [PROD], "permission_set": "Operator", "duration": "1h", "reason": "x", "ticket": "T"})
    assert r.status_code == 403
    assert _new(dev, DEV)


def test_one_click_link_needs_the_named_approvers_session(browser_as: Callable[..., TestClient], api_as: Callable[..., TestClient],
                                                           ic: IdentityCenter) -> None:  # noqa: F811  # fmt: skip
    rid = _new(api_as(Role.ANALYST, name="alice"))
    token = make_token("test-secret-key", rid, "bob")
    carol = browser_as(Role.ANALYST, name="carol")
    assert carol.get(f"/access/approve/{token}").status_code == 403  # sent to bob, not carol
    assert carol.get("/access/approve/forged-token").status_code == 400
    bob = browser_as(Role.ANALYST, name="bob")
    page = bob.get(f"/access/approve/{token}")
    assert page.status_code == 200 and rid in page.text and "Approve as bob" in page.text
    assert bob.post(f"/access/approve/{token}", data={}).status_code == 403  # no CSRF token
    r = bob.post(f"/access/approve/{token}", data={"csrf_token": bob.csrf_token}, follow_redirects=False)  # type: ignore[attr-defined]
    assert r.status_code == 303 and ic.assigned("alice", "Operator", PROD)
    again = bob.post(f"/access/approve/{token}", data={"csrf_token": bob.csrf_token})  # type: ignore[attr-defined]
    assert again.status_code == 403  # single use: the request is no longer pending


def test_the_page_offers_the_form_and_the_actions(browser_as: Callable[..., TestClient], api_as: Callable[..., TestClient]) -> None:
    rid = _new(api_as(Role.ANALYST, name="alice"))
    bob = browser_as(Role.ANALYST, name="bob")
    page = bob.get("/access")
    assert page.status_code == 200 and 'id="access-new"' in page.text and f"/access/requests/{rid}/approve" in page.text
    r = bob.post("/access/requests", data={"accounts": PROD, "permission_set": "Operator", "duration": "30m", "reason": "debug",
                                          "ticket": "T-2", "csrf_token": bob.csrf_token}, follow_redirects=False)  # type: ignore[attr-defined]  # fmt: skip
    assert r.status_code == 303
    viewer = browser_as(Role.VIEWER, name="vera")
    assert 'id="access-new"' not in viewer.get("/access").text


def test_a_request_made_on_the_server_notifies_with_signed_links(
    server_store: Store, ic: IdentityCenter, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    from mamori.access.links import read_token
    from mamori.notify import Notification
    from mamori.notify.channels import MemoryNotifier

    sent: list[Notification] = []
    monkeypatch.setattr(MemoryNotifier, "send", lambda self, n: sent.append(n))
    cfg = Config(account_groups={k: list(v) for k, v in GROUPS.items()},
                 access=AccessConfig(approvers=["bob"], base_url="https://mamori.example", notify=["memory"]))  # fmt: skip
    app = make_app(str(server_store.engine.url), cfg)
    app.state.access_granter = ic.granter()
    try:
        clients = _client_factory(app, browser=False)
        rid = _new(next(clients)(Role.ANALYST, name="alice"))
        clients.close()
    finally:
        app.state.store.close()
    [n] = sent
    link = n.data["approve_links"]["bob"]
    assert link.startswith("https://mamori.example/access/approve/")
    claim = read_token("test-secret-key", link.rsplit("/", 1)[1])
    assert (claim.request_id, claim.approver) == (rid, "bob")
