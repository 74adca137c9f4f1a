"""Single sign-on through OpenID Connect against a local fake identity provider (tests/server/fake_idp.py)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from mamori import audit
from mamori.config import Config
from mamori.config.server import OidcConfig
from mamori.findings import Store
from mamori.server.auth.oidc import map_groups
from mamori.users import Role
from mamori.users.service import UserStore

from .conftest import GROUPS, make_app
from .fake_idp import FakeIdp, oidc_config, running_idp


@pytest.fixture(scope="module")
def idp() -> Iterator[FakeIdp]:
    with running_idp() as found:
        yield found


@pytest.fixture
def sso_client(idp: FakeIdp, server_store: Store) -> Iterator[TestClient]:
    cfg = Config.model_validate({"account_groups": GROUPS, "server": {"oidc": oidc_config(idp)}})
    app = make_app(str(server_store.engine.url), cfg)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client
    app.state.store.close()


def sign_in(client: TestClient, next_path: str = "/") -> httpx.Response:
    """The browser's round trip: mamori -> the IdP (approves at once) -> mamori's callback."""
    r = client.get("/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert r.status_code == 302, r.text
    at_idp = httpx.get(r.headers["location"], follow_redirects=False, timeout=10)
    assert at_idp.status_code == 302
    back = urlsplit(at_idp.headers["location"])
    assert back.netloc == "127.0.0.1" and back.path == "/auth/oidc/callback"
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_the_group_claim_maps_to_role_and_account_group(idp: FakeIdp) -> None:
    cfg = OidcConfig.model_validate(oidc_config(idp))
    assert map_groups(cfg, ["dev-team"]) == (Role.ANALYST, "dev")
    assert map_groups(cfg, ["readers", "sec-admins", "dev-team"]) == (Role.ADMIN, None)
    assert map_groups(cfg, ["marketing"]) is None


def test_an_sso_user_signs_in_with_the_role_and_accounts_of_their_group(idp: FakeIdp, sso_client: TestClient) -> None:
    assert "Sign in with SSO" in sso_client.get("/login").text
    idp.next_claims = {"sub": "42", "preferred_username": "dana", "groups": ["dev-team"]}
    r = sign_in(sso_client, "/findings")
    assert r.status_code == 303 and r.headers["location"] == "/findings"
    me = sso_client.get("/api/v1/me").json()
    assert me == {"name": "dana", "role": "analyst", "accounts": "dev", "visible_accounts": ["222222222222"], "via": "oidc"}
    # promoted at the IdP: the next sign-in updates the role, audited
    idp.next_claims = {"sub": "42", "preferred_username": "dana", "groups": ["sec-admins"]}
    assert sign_in(sso_client).status_code == 303
    assert sso_client.get("/api/v1/me").json()["role"] == "admin"
    engine = sso_client.app.state.store.engine  # type: ignore[attr-defined]
    changes = [e.details for e in audit.entries(engine, action="user.sso", subject="dana")]
    assert changes[0]["created"] is True and changes[1]["was_role"] == "analyst" and changes[1]["role"] == "admin"


def test_a_user_in_no_allowed_group_or_disabled_in_mamori_is_refused(idp: FakeIdp, sso_client: TestClient) -> None:
    idp.next_claims = {"sub": "7", "preferred_username": "mallory", "groups": ["marketing"]}
    assert sign_in(sso_client).status_code == 403
    assert sso_client.get("/api/v1/me").status_code == 401
    engine = sso_client.app.state.store.engine  # type: ignore[attr-defined]
    UserStore(engine).add_user("erin", role=Role.VIEWER, password=None, actor="t")
    UserStore(engine).set_disabled("erin", True, actor="t")
    idp.next_claims = {"sub": "8", "preferred_username": "erin", "groups": ["sec-admins"]}
    assert sign_in(sso_client).status_code == 403


def test_a_forged_callback_is_refused(sso_client: TestClient) -> None:
    sso_client.get("/auth/oidc/login", follow_redirects=False)
    r = sso_client.get("/auth/oidc/callback?code=made-up&state=not-mine", follow_redirects=False)
    assert r.status_code == 400
    assert sso_client.get("/api/v1/me").status_code == 401


def test_without_oidc_configured_the_routes_are_404(client_as) -> None:  # type: ignore[no-untyped-def]
    assert client_as(Role.VIEWER).get("/auth/oidc/login", follow_redirects=False).status_code == 404
