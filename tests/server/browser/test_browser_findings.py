"""The findings page in a real browser: filter and search (HTMX), open a detail, bulk suppress with a reason."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from mamori.findings import FindingFilter
from mamori.model.finding import FindingStatus
from mamori.users import Role

from ..conftest import DEV, HOSTILE, PROD
from .conftest import LiveServer, sign_in


def test_filter_search_and_reload_keep_the_filter(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.VIEWER, "dev")
    sign_in(page, live_server, name, pw, "/findings")
    rows = page.locator("#findings-table tbody tr")
    expect(rows.first).to_be_visible()
    assert PROD not in page.content()
    page.select_option("#f-severity", "critical")
    page.click("#filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"severity=critical"))  # hx-push-url: the filter is in the address
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("critical")
    page.reload()
    expect(page.locator("#f-severity")).to_have_value("critical")  # restored from the URL by findings.js
    page.select_option("#f-severity", "")
    page.fill("#f-q", "script")
    page.click("#filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("a")).to_have_text(HOSTILE)  # the hostile title shown as text, never run


def test_open_a_finding_shows_evidence_history_and_how_to_fix(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.VIEWER, "dev")
    sign_in(page, live_server, name, pw, "/findings?rule=t_volume_unencrypted")
    page.click("#findings-table tbody tr >> nth=0 >> a")
    expect(page).to_have_url(re.compile(r"/findings/[0-9a-f]{24}$"))
    expect(page.locator("h1")).to_contain_text("Volumes are encrypted")
    expect(page.locator("#facts")).to_contain_text(DEV)
    expect(page.locator("#evidence")).to_contain_text("encrypted")
    expect(page.locator("#history")).to_contain_text("NEW")
    expect(page.locator("#remediation")).to_contain_text("mamori remediate plan")


def test_bulk_suppress_on_the_current_filter_needs_a_reason(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.ANALYST, "dev")
    sign_in(page, live_server, name, pw, "/findings?rule=t_user_shared")
    rows = page.locator("#findings-table tbody tr")
    expect(rows).to_have_count(1)
    page.on("dialog", lambda d: d.accept())
    page.click("#bulk summary")
    page.fill("#b-approver", "ciso@example.com")
    page.fill("#b-expires", "30d")
    page.click("#bulk-suppress button[type=submit]")
    assert page.locator("#b-reason").evaluate("e => !e.validity.valid"), "the browser refuses an empty reason"
    page.fill("#b-reason", "shared break-glass user, rotated monthly")
    page.click("#bulk-suppress button[type=submit]")
    expect(page.locator("#bulk-result")).to_contain_text("Suppressed 1 finding(s)")
    expect(page.locator("#findings-table tbody")).to_contain_text("No findings match")  # the list refreshed itself
    store = live_server.app.state.store
    shared = store.findings(FindingFilter(rules=("t_user_shared",), statuses=()))
    assert {f.account: f.status for f in shared} == {DEV: FindingStatus.SUPPRESSED, PROD: FindingStatus.NEW}
