"""The findings API and pages: filters, cursor pages, visibility, suppressions, bulk actions, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from mamori.audit import log as audit
from mamori.findings import FindingFilter, Store
from mamori.model.finding import Finding, FindingStatus, Severity
from mamori.rules.loader import load_rule
from mamori.rules.refs import rule_files
from mamori.users import Role

from .conftest import DEV, HOSTILE, PROD

Client = Callable[..., TestClient]
ATTR_BREAK = '"><img src=x onerror=alert(2)>'


def all_pages(client: TestClient, **params: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    for _ in range(100):
        r = client.get("/api/v1/findings", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


def test_api_pages_with_cursors_cover_every_visible_finding_once(server_store: Store, client_as: Client) -> None:
    viewer = client_as(Role.VIEWER)
    every = all_pages(viewer, status="all", limit=2)
    ids = [str(i["id"]) for i in every]
    assert len(ids) == len(set(ids)) == len(server_store.findings(FindingFilter()))
    ranks = [Severity(str(i["severity"])).rank for i in every]
    assert ranks == sorted(ranks, reverse=True), "worst first"
    assert [i["id"] for i in all_pages(viewer, status="all", limit=500)] == ids, "the order does not depend on the page size"
    crit = all_pages(viewer, severity="critical")
    assert crit and {i["severity"] for i in crit} == {"critical"}
    found = all_pages(viewer, q="SCRIPT", status="all")
    assert {i["title"] for i in found} == {HOSTILE}
    one = all_pages(viewer, account=DEV, rule="t_bucket_public")
    assert [(i["resource"]["account"], i["rule_id"]) for i in one] == [(DEV, "t_bucket_public")]  # type: ignore[index]
    assert viewer.get("/api/v1/findings", params={"cursor": "garbage"}).status_code == 422
    bad = viewer.get("/api/v1/findings", params={"severity": "urgent"})
    assert bad.status_code == 422 and "unknown severity 'urgent'" in bad.json()["detail"]
    assert viewer.get("/api/v1/findings", params={"limit": 0}).status_code == 422


def test_a_scoped_user_sees_only_their_accounts_and_404s_for_others(server_store: Store, client_as: Client) -> None:
    dev = client_as(Role.ANALYST, "dev")
    assert {i["resource"]["account"] for i in all_pages(dev, status="all")} == {DEV}  # type: ignore[index]
    assert all_pages(dev, account=PROD) == []
    prod_id = server_store.findings(FindingFilter(accounts=(PROD,)))[0].id
    r = dev.get(f"/api/v1/findings/{prod_id}")
    assert r.status_code == 404 and prod_id not in r.text
    dev_one = server_store.findings(FindingFilter(accounts=(DEV,)))[0]
    doc = dev.get(f"/api/v1/findings/{dev_one.id}").json()
    assert doc["id"] == dev_one.id and doc["history"] and "remediation_changes" in doc
    body = {"rule": "t_bucket_public", "resource": "dev-public-bucket", "reason": "r", "approver": "a", "expires": "30d"}
    r = dev.post("/api/v1/suppressions", json=body)
    assert r.status_code == 422 and "name one of them" in r.json()["detail"], "a scoped suppression must name an account"
    r = dev.post("/api/v1/suppressions", json={**body, "account": PROD})
    assert r.status_code == 422
    r = dev.post("/api/v1/suppressions", json={**body, "account": DEV})
    assert r.status_code == 201 and r.json()["suppressed"]
    bulk = dev.post("/api/v1/findings/bulk/suppress", json={"filter": {"account": PROD}, "reason": "r", "approver": "a", "expires": "1d"})
    assert bulk.status_code == 200 and bulk.json()["findings"] == 0, "a bulk action never reaches another group's account"


def test_post_suppressions_roles_validation_and_audit(server_store: Store, client_as: Client) -> None:
    body = {"rule": "t_bucket_public", "resource": "prod-public-bucket", "reason": "public website", "approver": "ciso", "expires": "30d"}
    assert client_as(Role.VIEWER).post("/api/v1/suppressions", json=body).status_code == 403
    analyst = client_as(Role.ANALYST)
    for bad, needle in (
        ({"reason": ""}, "reason"),
        ({"expires": "someday"}, "is not 90d, 12h, 2w, a date or an ISO datetime"),
        ({"expires": "2001-01-01"}, "is not in the future"),
        ({"rule": "t_bucket_publik"}, "did you mean"),
        ({"colour": "red"}, "colour"),
    ):
        r = analyst.post("/api/v1/suppressions", json={**body, **bad})
        assert r.status_code == 422 and needle in r.json()["detail"], (bad, r.text)
    r = analyst.post("/api/v1/suppressions", json=body)
    assert r.status_code == 201, r.text
    sid = r.json()["suppression"]["id"]
    assert len(r.json()["suppressed"]) == 1
    entry = audit.entries(server_store.engine)[-1]
    assert (entry.action, entry.subject, entry.actor) == ("suppression.add", sid, analyst.user_name)  # type: ignore[attr-defined]
    listed = client_as(Role.VIEWER).get("/api/v1/suppressions").json()
    assert [s["id"] for s in listed["items"]] == [sid] and listed["next_cursor"] is None
    assert client_as(Role.VIEWER, "dev").get("/api/v1/suppressions").json()["items"] == [], "pinned to prod: not a dev user's"
    admin = client_as(Role.ADMIN)
    assert admin.post("/api/v1/suppressions", json={**body, "resource": "dev-public-bucket"}).status_code == 201


def test_bulk_suppress_and_assign_through_the_api(server_store: Store, client_as: Client) -> None:
    analyst = client_as(Role.ANALYST)
    payload = {"filter": {"rule": "t_volume_unencrypted"}, "reason": "legacy", "approver": "ciso", "expires": "2w"}
    assert client_as(Role.VIEWER).post("/api/v1/findings/bulk/suppress", json=payload).status_code == 403
    r = analyst.post("/api/v1/findings/bulk/suppress", json={**payload, "reason": ""})
    assert r.status_code == 422
    r = analyst.post("/api/v1/findings/bulk/suppress", json=payload)
    assert r.status_code == 200, r.text
    n = r.json()["findings"]
    assert n >= 1 and r.json()["action"] == "suppression.bulk_add"
    left = all_pages(analyst, rule="t_volume_unencrypted")
    assert left == [], "every open finding of the filter is suppressed"
    assert len(all_pages(analyst, rule="t_volume_unencrypted", status="suppressed")) == n
    r = analyst.post("/api/v1/findings/bulk/assign", json={"filter": {"account": DEV}, "owner": "dev-team"})
    assert r.status_code == 200 and r.json()["findings"] >= 1
    mine = all_pages(analyst, owner="dev-team", status="all")
    assert mine and {i["owner"] for i in mine} == {"dev-team"}
    assert audit.entries(server_store.engine)[-1].action == "finding.assign"


def _hostile_store(store: Store) -> str:
    now = datetime.now(UTC)
    f = Finding("hostile-attr", "CVE-2026-0002", ATTR_BREAK, Severity.CRITICAL, FindingStatus.NEW, "aws.ec2.instance",
                f"i-{ATTR_BREAK}", "", DEV, "us-east-1", {"note": "<script>alert(3)</script>"}, now, now, source="inspector")  # fmt: skip
    store.upsert_findings([f], actor="test", now=now)
    return f.id


def test_pages_escape_attacker_controlled_titles(server_store: Store, browser_client_as: Client) -> None:
    fid = _hostile_store(server_store)
    client = browser_client_as(Role.ANALYST)
    listing = client.get("/findings", params={"status": "all"})
    assert listing.status_code == 200
    detail = client.get(f"/findings/{fid}")
    imported = client.get("/findings/imp-222222222222")
    for page in (listing.text, listing.text, detail.text, imported.text):
        assert "<script>alert" not in page and "<img src=x" not in page and "onerror=alert(2)>" not in page.replace("&gt;", "")
    assert "&lt;script&gt;alert(" in listing.text and "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in detail.text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in detail.text or "\\u003cscript\\u003e" in detail.text
    csp = listing.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert not re.search(r"<script>(?!</script>)[^<]", listing.text), "no inline script"


def test_findings_page_filters_pages_and_details(server_store: Store, browser_client_as: Client) -> None:
    client = browser_client_as(Role.VIEWER, "dev")
    page = client.get("/findings")
    assert page.status_code == 200 and 'id="filters"' in page.text and "bulk-suppress" not in page.text, "viewers get no bulk forms"
    assert PROD not in page.text
    partial = client.get("/findings", params={"severity": "critical"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.text and "critical" in partial.text
    assert 'value="critical"' not in partial.text.split("<table")[1], "request values are not reflected"
    rule = load_rule(rule_files([])["s3_bucket_public_via_acl"])  # a finding of the built-in library has its texts
    now = datetime.now(UTC)
    f = Finding("lib-1", rule.id, rule.spec.title, Severity.HIGH, FindingStatus.NEW, "aws.s3.bucket", "dev-logs",
                "arn:aws:s3:::dev-logs", DEV, "us-east-1", {"acl": "public-read"}, now, now)  # fmt: skip
    server_store.upsert_findings([f], actor="test", now=now)
    detail = client.get("/findings/lib-1")
    assert detail.status_code == 200
    for part in ("Why it matters", "How to fix", "History", "Remediation plan", "public-read"):
        assert part in detail.text, part
    for text in (rule.spec.rationale.strip().split("\n")[0], rule.spec.remediation.strip().split("\n")[0]):
        assert str(escape(text)) in detail.text
    prod_fid = server_store.findings(FindingFilter(accounts=(PROD,)))[0].id
    r = client.get(f"/findings/{prod_fid}")
    assert r.status_code == 404 and prod_fid not in r.text


def test_bulk_forms_need_htmx_csrf_a_reason_and_the_analyst_role(server_store: Store, browser_client_as: Client) -> None:
    analyst = browser_client_as(Role.ANALYST)
    hx = {"HX-Request": "true", "X-CSRF-Token": analyst.csrf_token}  # type: ignore[attr-defined]
    form = {"rule": "t_user_shared", "status": "open", "reason": "", "approver": "ciso", "expires": "30d"}
    r = analyst.post("/findings/bulk/suppress", data=form, headers=hx)
    assert r.status_code == 200 and "reason is required" in r.text and "HX-Trigger" not in r.headers
    r = analyst.post("/findings/bulk/suppress", data={**form, "reason": "break-glass accounts"}, headers=hx)
    assert r.status_code == 200 and "Suppressed 2 finding(s)" in r.text and r.headers["HX-Trigger"] == "findings-changed"
    r = analyst.post("/findings/bulk/suppress", data={**form, "reason": "x", "csrf_token": analyst.csrf_token})  # type: ignore[attr-defined]
    assert r.status_code == 400, "a bulk action without the page's filter is refused"
    r = analyst.post("/findings/bulk/assign", data={"account": DEV, "new_owner": "dev-team"}, headers=hx)
    assert r.status_code == 200 and "to dev-team" in r.text
    viewer = browser_client_as(Role.VIEWER)
    r = viewer.post("/findings/bulk/suppress", data={**form, "reason": "x"},
                    headers={"HX-Request": "true", "X-CSRF-Token": viewer.csrf_token})  # type: ignore[attr-defined]
    assert r.status_code == 403
    fid = server_store.findings(FindingFilter(rules=("t_bucket_public",), accounts=(DEV,)))[0].id
    r = analyst.post(f"/findings/{fid}/suppress", data={"reason": "ok", "approver": "ciso", "expires": "soon",
                                                         "csrf_token": analyst.csrf_token})  # type: ignore[attr-defined]
    assert r.status_code == 422 and "is not 90d" in r.text
    r = analyst.post(f"/findings/{fid}/suppress", data={"reason": "ok", "approver": "ciso", "expires": "7d",
                                                         "csrf_token": analyst.csrf_token}, follow_redirects=False)  # type: ignore[attr-defined]
    assert r.status_code == 303
    assert server_store.findings_by_ids([fid])[0].status is FindingStatus.SUPPRESSED


@pytest.mark.postgres
def test_findings_api_on_postgresql(pg_server_store: Store, pg_client_as: Client) -> None:
    analyst = pg_client_as(Role.ANALYST, "dev")
    every = all_pages(analyst, status="all", limit=2)
    assert every and {i["resource"]["account"] for i in every} == {DEV}  # type: ignore[index]
    assert [i["id"] for i in all_pages(analyst, status="all", limit=500)] == [i["id"] for i in every]
    r = analyst.post("/api/v1/findings/bulk/suppress", json={"filter": {"q": "public"}, "reason": "r", "approver": "a", "expires": "30d"})
    assert r.status_code == 200 and r.json()["findings"] == 1
    body = {"finding": every[-1]["id"], "reason": "r", "approver": "a", "expires": "2030-01-01"}
    assert analyst.post("/api/v1/suppressions", json=body).status_code == 201


def test_the_match_count_is_capped_on_large_stores(server_store: Store, browser_client_as: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond COUNT_CAP the page says "N+ findings match" instead of counting every match (a 200,000-row count)."""
    from mamori.server.routes import findings as route

    client = browser_client_as(Role.VIEWER)
    exact = client.get("/findings", params={"status": "all"}, headers={"HX-Request": "true"})
    n = int(exact.text.split('id="total">')[1].split(" finding")[0].replace(",", ""))
    assert n >= 2
    monkeypatch.setattr(route, "COUNT_CAP", 1)
    capped = client.get("/findings", params={"status": "all"}, headers={"HX-Request": "true"})
    assert 'id="total">1+ findings match.' in capped.text


def test_finding_page_shows_the_risk_decision_and_its_factors(server_store: Store, browser_client_as: Client) -> None:
    now = datetime.now(UTC)
    risk = {"decision": "out-of-cycle", "factors": [
        {"factor": "exploitation", "value": "none", "source": "not in CISA KEV", "date": "2026-12-01"},
        {"factor": "exposure", "value": "open", "source": "no inventory", "default": True, "note": "open assumed"},
    ]}  # fmt: skip
    f = Finding("deps-risk-1", "GHSA-qxxx-2pp7-5hmx", "jackson-databind 2.1.0", Severity.CRITICAL, FindingStatus.NEW,
                "code.artifact", "pom.xml", "", DEV, "", {"family": "sarif:mamori", "risk": risk}, now, now,
                source="sarif:mamori")  # fmt: skip
    server_store.upsert_findings([f], actor="test", now=now)
    page = browser_client_as(Role.ANALYST).get(f"/findings/{f.id}")
    assert page.status_code == 200
    assert "Risk decision: out-of-cycle" in page.text and 'id="risk-factors"' in page.text
    assert "open *" in page.text and "open assumed" in page.text and "not in CISA KEV" in page.text
