"""Sign-in, sessions, tokens, roles, CSRF, the login rate limit and the security headers (TestClient)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from mamori import audit
from mamori.server.security import CSP
from mamori.users import Role
from mamori.users.service import UserStore

from .conftest import PASSWORD, csrf_of, login


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


def test_healthz_needs_no_login_and_pages_redirect_to_the_login_form(app: FastAPI) -> None:
    c = _client(app)
    assert c.get("/healthz").json() == {"status": "ok"}
    r = c.get("/findings?severity=high", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/findings%3Fseverity%3Dhigh"
    page = c.get("/login")
    assert 'name="username"' in page.text and 'name="password"' in page.text and 'name="csrf_token"' in page.text
    assert c.get("/api/v1/me").status_code == 401
    assert c.get("/api/v1/me").json() == {"detail": "not authenticated"}


def test_login_sets_a_signed_httponly_samesite_cookie_and_logout_ends_the_session(app: FastAPI) -> None:
    UserStore(app.state.store.engine).add_user("alice", role=Role.ANALYST, password=PASSWORD, actor="t")
    c = _client(app)
    page = c.get("/login")
    r = c.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                               "next": "/findings"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/findings"
    cookie = r.headers["set-cookie"].lower()
    assert "mamori_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    me = c.get("/api/v1/me").json()
    assert me["name"] == "alice" and me["role"] == "analyst" and me["visible_accounts"] is None
    token = csrf_of(c.get("/").text)
    assert c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert c.get("/api/v1/me").status_code == 401


def test_a_wrong_password_fails_and_next_never_leaves_the_site(app: FastAPI) -> None:
    UserStore(app.state.store.engine).add_user("bob", role=Role.VIEWER, password=PASSWORD, actor="t")
    c = _client(app)
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "bob", "password": "nope-nope", "csrf_token": tok})
    assert r.status_code == 401 and "wrong user name or password" in r.text
    for evil in ("https://evil.example", "//evil.example", "/\\evil.example"):
        r = c.post("/login", data={"username": "bob", "password": PASSWORD, "csrf_token": tok, "next": evil},
                   follow_redirects=False)  # fmt: skip
        assert r.headers["location"] == "/"
        tok = csrf_of(c.get("/").text)
        c.post("/logout", data={"csrf_token": tok})
        tok = csrf_of(c.get("/login").text)


def test_login_is_rate_limited_per_username_and_address(app: FastAPI) -> None:
    UserStore(app.state.store.engine).add_user("carol", role=Role.VIEWER, password=PASSWORD, actor="t")
    clock = [1000.0]
    app.state.limiter.clock = lambda: clock[0]
    c = _client(app)
    tok = csrf_of(c.get("/login").text)
    codes = [c.post("/login", data={"username": "carol", "password": "bad-guess", "csrf_token": tok}).status_code
             for _ in range(app.state.limiter.attempts + 1)]  # fmt: skip
    assert codes[:-1] == [401] * app.state.limiter.attempts and codes[-1] == 429
    # even the right password is refused while blocked, another user is not
    assert c.post("/login", data={"username": "carol", "password": PASSWORD, "csrf_token": tok}).status_code == 429
    assert c.post("/login", data={"username": "dave", "password": "x-x-x-x-x", "csrf_token": tok}).status_code == 401
    clock[0] += app.state.limiter.window_s + 1
    r = c.post("/login", data={"username": "carol", "password": PASSWORD, "csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303


def test_csrf_is_required_on_every_form_and_htmx_post_but_not_with_a_bearer_token(
    app: FastAPI, browser_client_as: Callable[..., TestClient], client_as: Callable[..., TestClient]
) -> None:
    admin = browser_client_as(Role.ADMIN)
    r = admin.post("/admin/tokens", data={"user": admin.user_name, "expires": "1d"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = admin.post("/admin/tokens", data={"user": admin.user_name, "expires": "1d", "csrf_token": "forged" * 6})
    assert r.status_code == 403
    r = admin.post("/admin/tokens", data={"user": admin.user_name, "expires": "1d", "csrf_token": admin.csrf_token})
    assert r.status_code == 200 and "mmr_" in r.text
    tid = UserStore(app.state.store.engine).tokens(admin.user_name)[-1].id
    assert admin.post(f"/admin/tokens/{tid}/revoke", headers={"HX-Request": "true"}).status_code == 403
    r = admin.post(f"/admin/tokens/{tid}/revoke", headers={"HX-Request": "true", "X-CSRF-Token": admin.csrf_token})
    assert r.status_code == 200 and r.text.lstrip().startswith('<table id="tokens">') and "revoked" in r.text
    # JSON from a browser session needs the header too; a Bearer token needs none
    assert admin.post("/api/v1/tokens", json={"expires": "1d"}).status_code == 403
    assert admin.post("/api/v1/tokens", json={"expires": "1d"}, headers={"X-CSRF-Token": admin.csrf_token}).status_code == 201
    api = client_as(Role.ADMIN)
    assert api.post("/api/v1/tokens", json={"expires": "1d"}).status_code == 201


def test_security_headers_and_csp_on_pages_api_errors_and_static_files(client_as: Callable[..., TestClient]) -> None:
    c = client_as(Role.VIEWER)
    for path in ("/", "/api/v1/me", "/nope", "/static/htmx.min.js", "/login", "/healthz"):
        r = c.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert c.get("/").headers["cache-control"] == "no-store"
    html = c.get("/").text
    assert "<script>" not in html and "style=" not in html and "http://" not in html.replace("http://127.0.0.1", "")


def test_roles_guard_the_admin_api_and_pages(client_as: Callable[..., TestClient], app: FastAPI) -> None:
    viewer, analyst, admin = client_as(Role.VIEWER), client_as(Role.ANALYST), client_as(Role.ADMIN)
    for c in (viewer, analyst):
        assert c.get("/api/v1/users").status_code == 403
        assert c.post("/api/v1/users", json={"name": "x1", "role": "admin", "password": "long-enough"}).status_code == 403
        assert c.get("/admin/users").status_code == 403
        assert c.post("/api/v1/tokens", json={"user": admin.user_name}).status_code == 403
    r = admin.post("/api/v1/users", json={"name": "eve", "role": "viewer", "accounts": "dev", "password": "long-enough"})
    assert r.status_code == 201 and r.json()["accounts"] == "dev"
    assert admin.post("/api/v1/users", json={"name": "eve", "role": "viewer"}).status_code == 400
    assert admin.post("/api/v1/users", json={"name": "x", "role": "root"}).status_code == 422
    r = admin.post("/api/v1/tokens", json={"user": "eve", "expires": "7d", "label": "ci"})
    assert r.status_code == 201 and r.json()["token"].startswith("mmr_")
    eve = TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert eve.get("/api/v1/me").json()["visible_accounts"] == ["222222222222"]
    assert [t["label"] for t in eve.get("/api/v1/tokens").json()["items"]] == ["ci"]
    assert eve.get("/api/v1/tokens", params={"user": admin.user_name}).status_code == 403
    assert admin.post("/api/v1/users/eve/disable").json()["disabled"] is True
    assert eve.get("/api/v1/me").status_code == 401
    assert admin.post("/api/v1/users/nobody/disable").status_code == 404
    acts = {(e.actor, e.action) for e in audit.entries(app.state.store.engine)}
    assert {(admin.user_name, "user.add"), (admin.user_name, "token.create"), (admin.user_name, "user.disable")} <= acts


def test_a_bad_token_is_401_and_a_revoked_token_stops_at_once(client_as: Callable[..., TestClient], app: FastAPI) -> None:
    c = _client(app)
    assert c.get("/api/v1/me", headers={"Authorization": "Bearer mmr_000000000000_" + "a" * 43}).status_code == 401
    user = client_as(Role.VIEWER)
    tid = user.get("/api/v1/tokens").json()["items"][0]["id"]
    assert user.delete(f"/api/v1/tokens/{tid}").json()["state"] == "revoked"
    assert user.get("/api/v1/me").status_code == 401


def test_openapi_is_served_without_a_cdn(client_as: Callable[..., TestClient]) -> None:
    c = client_as(Role.VIEWER)
    spec = c.get("/api/openapi.json").json()
    assert "/api/v1/me" in spec["paths"] and spec["info"]["title"] == "mamori"
    assert c.get("/api/docs").status_code == 404


def test_the_admin_page_adds_a_user_and_shows_a_new_token_once(
    browser_client_as: Callable[..., TestClient], app: FastAPI
) -> None:
    admin = browser_client_as(Role.ADMIN)
    r = admin.post("/admin/users", data={"name": "frank", "role": "analyst", "accounts": "prod",
                                         "password": "long-enough", "csrf_token": admin.csrf_token})  # fmt: skip
    assert r.status_code == 200 and "frank" in r.text
    r = admin.post("/admin/users", data={"name": "frank", "role": "analyst", "password": "long-enough",
                                         "csrf_token": admin.csrf_token})  # fmt: skip
    assert r.status_code == 400 and "exists already" in r.text
    r = admin.post("/admin/tokens", data={"user": "frank", "expires": "30d", "csrf_token": admin.csrf_token})
    shown = r.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert shown.startswith("mmr_") and shown not in admin.get("/admin/users").text
    assert login(_client(app), "frank", "long-enough").get("/api/v1/me").json()["visible_accounts"] == ["111111111111"]


def test_the_same_on_postgresql(pg_client_as: Callable[..., TestClient], pg_browser_client_as: Callable[..., TestClient],
                                pg_app: FastAPI) -> None:  # fmt: skip
    admin = pg_client_as(Role.ADMIN)
    r = admin.post("/api/v1/users", json={"name": "pg-user", "role": "analyst", "accounts": "prod", "password": "long-enough"})
    assert r.status_code == 201
    token = admin.post("/api/v1/tokens", json={"user": "pg-user", "expires": "1d"}).json()["token"]
    scoped = TestClient(pg_app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {token}"})
    assert scoped.get("/api/v1/me").json()["visible_accounts"] == ["111111111111"]
    session = pg_browser_client_as(Role.VIEWER, "dev")
    assert session.get("/api/v1/me").json()["visible_accounts"] == ["222222222222"]
    assert session.post("/api/v1/tokens", json={"expires": "1d"}).status_code == 403  # no CSRF header
    assert {e.action for e in audit.entries(pg_app.state.store.engine)} >= {"user.add", "token.create"}
