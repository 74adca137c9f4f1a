"""The dashboard in a real browser: sign-in, CSRF, HTMX partials, CSP, sign-out, SSO (tests/server/browser/conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from mamori.users import Role

from .conftest import LiveServer, Watch, sign_in

PAGES = ["/", "/findings", "/accounts", "/standards", "/scans", "/events", "/teams", "/audit", "/admin/users"]


def test_a_person_signs_in_lands_where_they_were_going_and_signs_out(page: Page, live_server: LiveServer,
                                                                     watch: Watch) -> None:  # fmt: skip
    name, pw = live_server.add_user(Role.ANALYST, "dev")
    watch.allowed_console.append("status of 401")  # the wrong password below answers 401
    page.goto(live_server.url + "/findings")
    expect(page).to_have_url(re.compile(r"/login\?next=/findings$"))
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', "not the password")
    page.click('button[type="submit"]')
    expect(page.locator(".error")).to_have_text("wrong user name or password")
    page.fill('input[name="password"]', pw)
    page.click('button[type="submit"]')
    expect(page).to_have_url(live_server.url + "/findings")
    expect(page.locator("header .user")).to_contain_text(f"{name} · analyst · dev")
    page.click("text=Sign out")
    expect(page).to_have_url(live_server.url + "/login")
    page.goto(live_server.url + "/findings")
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_form_works_with_its_csrf_token_and_is_refused_without(page: Page, live_server: LiveServer, watch: Watch) -> None:
    name, pw = live_server.add_user(Role.ADMIN)
    sign_in(page, live_server, name, pw, "/admin/users")
    new = f"nu-{name}"
    page.fill("#nu-name", new)
    page.select_option("#nu-role", "viewer")
    page.select_option("#nu-accounts", "prod")
    page.fill("#nu-password", "long enough pw")
    page.click("#add-user button[type=submit]")
    expect(page.locator("#users")).to_contain_text(new)
    # the same form with a forged token: refused
    watch.allowed_console.append("status of 403")
    page.locator("#add-user input[name=csrf_token]").evaluate("e => { e.value = 'forged-token-forged-token' }")
    page.fill("#nu-name", new + "-2")
    page.fill("#nu-password", "long enough pw")
    page.click("#add-user button[type=submit]")
    expect(page.locator("main")).to_contain_text("CSRF")
    assert live_server.app.state.users.user(new + "-2") is None


def test_revoking_a_token_swaps_only_the_table_through_htmx(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.ADMIN)
    sign_in(page, live_server, name, pw, "/admin/users")
    page.select_option("#nt-user", name)
    page.fill("#nt-label", "browser-test")
    page.click("#add-token button[type=submit]")
    token = page.locator("#new-token").inner_text()
    assert token.startswith("mmr_")
    tid = token.split("_")[1]
    page.evaluate("() => { window.__stillHere = true }")
    with page.expect_request(lambda r: r.url.endswith(f"/admin/tokens/{tid}/revoke")) as req:
        page.locator(f'tr[data-token="{tid}"] button').click()
    assert req.value.headers.get("hx-request") == "true" and req.value.headers.get("x-csrf-token")
    expect(page.locator(f'tr[data-token="{tid}"] .state')).to_have_text("revoked")
    assert page.evaluate("() => window.__stillHere") is True  # no page load: a partial swap
    assert page.locator("#new-token").count() == 1  # the rest of the page is untouched


def test_every_page_loads_with_the_csp_and_no_violation(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.ADMIN)
    sign_in(page, live_server, name, pw)
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        expect(page.locator("h1").first).to_be_visible()
        # htmx (vendored) is loaded and configured from the meta tag, not from an inline script
        assert page.evaluate("() => typeof htmx === 'object' && htmx.config.includeIndicatorStyles === false"), path
    # the page fixture fails the test on any console error: a CSP violation is one


def test_single_sign_on_through_the_identity_provider(page: Page, live_server: LiveServer) -> None:
    live_server.idp.next_claims = {"sub": "b-77", "preferred_username": "sso-browser", "groups": ["dev-team"]}
    page.goto(live_server.url + "/login?next=/scans")
    page.click("text=Sign in with SSO")
    expect(page).to_have_url(live_server.url + "/scans")
    expect(page.locator("header .user")).to_contain_text("sso-browser · analyst · dev")


def test_the_csp_blocks_an_injected_inline_script_and_the_watch_sees_it(page: Page, live_server: LiveServer,
                                                                        watch: Watch) -> None:  # fmt: skip
    """What the other browser tests rely on: a CSP violation reaches the console and is caught."""
    page.goto(live_server.url + "/login")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';
                                 document.body.appendChild(s); }""")
    assert page.evaluate("() => window.__pwned") is None
    assert any("Content Security Policy" in m for m in watch.console), watch.console
    watch.allowed_console.append("Content Security Policy")
