"""The OVERVIEW pages in a real browser: the overview's charts, attesting from the standards page, a scoped view."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from mamori.users import Role

from ..conftest import DEV, PROD
from .conftest import LiveServer, sign_in


def test_the_overview_renders_counts_and_charts_without_csp_violations(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.VIEWER)
    sign_in(page, live_server, name, pw, "/")
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator('#counts [data-severity="critical"] .n')).to_have_text("2")
    expect(page.locator("svg.trend polyline")).to_have_count(3)  # one line per standard over the two days
    expect(page.locator("svg.sevbar rect[data-severity]")).to_have_count(3)
    expect(page.locator("#fixes tbody tr").first).to_contain_text("Buckets are not public")
    assert page.locator("#by-account svg.spark").count() == 2
    # the charts are SVG drawn by the server: they have a size in the laid-out page
    box = page.locator("svg.trend").bounding_box()
    assert box is not None and box["width"] > 300


def test_an_analyst_attests_a_control_from_the_standards_page(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.ANALYST)
    sign_in(page, live_server, name, pw, "/standards")
    page.click('a[href="/standards/baseline"]')
    row = page.locator('tr.control[data-control="6.2"]')
    expect(row).to_have_attribute("data-status", "not covered")
    page.select_option('#attest select[name="control"]', "6.2")
    page.fill('#attest input[name="evidence"]', "https://wiki.example.com/backup-restore-test")
    page.fill('#attest input[name="expires"]', "180d")
    page.click('#attest button[type="submit"]')
    expect(page).to_have_url(re.compile(r"/standards/baseline\?attested=6\.2$"))
    expect(page.locator('[role="status"]')).to_contain_text("attestation recorded for 6.2")
    expect(row).to_have_attribute("data-status", "attested")
    expect(row).to_contain_text(name)
    page.goto(live_server.url + "/audit")
    expect(page.locator("#verify")).to_have_attribute("data-ok", "true")
    expect(page.locator("#audit tbody tr").first).to_contain_text("standards.attest")


def test_a_scoped_viewer_sees_only_their_accounts_and_cannot_attest(page: Page, live_server: LiveServer) -> None:
    name, pw = live_server.add_user(Role.VIEWER, "dev")
    sign_in(page, live_server, name, pw, "/accounts")
    expect(page.locator("#accounts tbody tr")).to_have_count(1)
    expect(page.locator("#accounts tbody tr")).to_have_attribute("data-account", DEV)
    page.goto(live_server.url + "/standards/baseline")
    expect(page.locator("#attest")).to_have_count(0)
    for path in ("/", "/scans", "/teams", "/audit"):
        page.goto(live_server.url + path)
        assert PROD not in page.content(), path
