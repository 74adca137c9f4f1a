"""Overview, Accounts, Standards (attest from the page), Scans, Events, Audit log and Teams through the TestClient."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from mamori.audit import log as audit
from mamori.findings import Store
from mamori.users import Role

from .conftest import DEV, HOSTILE, PROD

PAGES = ("/", "/accounts", "/standards", "/standards/baseline", "/scans", "/events", "/audit", "/teams")


def test_every_page_renders_escaped_with_charts_and_no_inline_script(client_as: Callable[..., TestClient]) -> None:
    admin = client_as(Role.ADMIN)
    for path in PAGES:
        r = admin.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert "<script>" not in r.text and HOSTILE not in r.text, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text), f"{path}: an inline script"
        assert "default-src 'self'" in r.headers["content-security-policy"]
    home = admin.get("/").text
    assert 'class="trend"' in home and 'class="sevbar"' in home and "Volumes are encrypted" in home
    assert PROD in home and DEV in home
    # an HTMX request gets the page without the layout
    part = admin.get("/", headers={"HX-Request": "true"}).text
    assert "<html" not in part and 'id="counts"' in part


def test_overview_api_counts_and_scoping(client_as: Callable[..., TestClient]) -> None:
    full = client_as(Role.VIEWER).get("/api/v1/overview").json()
    dev = client_as(Role.VIEWER, "dev").get("/api/v1/overview").json()
    # each account: 1 high volume (prod's was fixed on day 2), 1 critical bucket, 1 medium user, 1 imported high
    assert dev["open"] == {"critical": 1, "high": 2, "medium": 1, "low": 0, "informational": 0, "total": 4}
    assert full["open"]["total"] == 7 and full["statuses"]["RESOLVED"] == 1
    assert [a["account"] for a in dev["by_account"]] == [DEV] and PROD not in str(dev)
    assert [f["rule_id"] for f in full["fixes"]][:1] == ["t_bucket_public"]
    assert full["titles"]["t_bucket_public"] == "Buckets are not public"
    narrowed = client_as(Role.VIEWER).get("/api/v1/overview", params={"account": DEV}).json()
    assert narrowed["open"] == dev["open"]
    assert client_as(Role.VIEWER, "dev").get("/api/v1/overview", params={"account": PROD}).json()["open"]["total"] == 0
    scores = client_as(Role.VIEWER, "dev").get("/api/v1/scores").json()
    assert [s["standard"] for s in scores["items"]] == ["baseline", "cis-aws-3.0", "cis-gcp-3.0", "fsbp"] and scores["next_cursor"] is None
    accounts = client_as(Role.VIEWER).get("/api/v1/accounts", params={"limit": 1}).json()
    assert [a["account"] for a in accounts["items"]] == [PROD] and accounts["next_cursor"] == PROD


def test_attest_from_the_page_is_audited_with_the_acting_user(
    browser_client_as: Callable[..., TestClient], server_store: Store
) -> None:
    analyst = browser_client_as(Role.ANALYST)
    page = analyst.get("/standards/baseline").text
    assert 'name="control"' in page and '<option value="6.1">' in page
    form = {"control": "6.1", "evidence": "https://wiki.example.com/ir-plan", "expires": "1y", "account": "*",
            "csrf_token": analyst.csrf_token}  # type: ignore[attr-defined]  # fmt: skip
    r = analyst.post("/standards/baseline/attest", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    shown = analyst.get(r.headers["location"]).text
    assert 'data-control="6.1" data-status="attested"' in shown and "attestation recorded for 6.1" in shown
    (entry,) = audit.entries(server_store.engine, action="standards.attest")
    assert entry.actor == analyst.user_name and entry.subject == "baseline:6.1"  # type: ignore[attr-defined]
    # a control a rule checks is the machine's; no CSRF token, no attestation
    bad = analyst.post("/standards/baseline/attest", data={**form, "control": "4.1"})
    assert bad.status_code == 400 and "checked by machine" in bad.text
    assert analyst.post("/standards/baseline/attest", data={k: v for k, v in form.items() if k != "csrf_token"}).status_code == 403


def test_attest_api_roles_and_scope(client_as: Callable[..., TestClient]) -> None:
    body = {"standard": "baseline", "control": "6.2", "evidence": "drill 2026-10-14", "expires": "90d"}
    assert client_as(Role.VIEWER).post("/api/v1/attestations", json=body).status_code == 403
    scoped = client_as(Role.ANALYST, "dev")
    assert scoped.post("/api/v1/attestations", json=body).status_code == 400  # not org-wide from a scoped user
    assert scoped.post("/api/v1/attestations", json={**body, "account": PROD}).status_code == 400
    r = scoped.post("/api/v1/attestations", json={**body, "account": DEV})
    assert r.status_code == 201 and r.json()["account"] == DEV and r.json()["recorded_by"] == scoped.user_name  # type: ignore[attr-defined]
    controls = {c["control"]: c for c in scoped.get("/api/v1/standards/baseline").json()["controls"]}
    assert controls["6.2"]["status"] == "attested"
    # the unscoped view counts organisation-wide attestations only... and the dev one is for dev only
    full = {c["control"]: c for c in client_as(Role.VIEWER).get("/api/v1/standards/baseline").json()["controls"]}
    assert full["6.2"]["status"] == "not covered"
    assert client_as(Role.VIEWER).get("/api/v1/standards/nope").status_code == 404
    items = client_as(Role.VIEWER).get("/api/v1/standards").json()["items"]
    assert [s["standard"] for s in items] == ["baseline", "cis-aws-3.0", "cis-gcp-3.0", "fsbp"] and items[0]["coverage"]["controls"] > 0


def test_scans_events_audit_and_teams_apis(client_as: Callable[..., TestClient], server_store: Store) -> None:
    admin, dev = client_as(Role.ADMIN), client_as(Role.VIEWER, "dev")
    scans = admin.get("/api/v1/scans").json()
    assert len(scans["items"]) == 4 and scans["next_cursor"] is None
    mine = dev.get("/api/v1/scans").json()["items"]
    assert len(mine) == 2 and all(s["accounts"] == [DEV] for s in mine)
    assert dev.get(f"/api/v1/scans/{mine[0]['id']}").status_code == 200
    prod_scan = next(s["id"] for s in scans["items"] if s["accounts"] == [PROD])
    assert dev.get(f"/api/v1/scans/{prod_scan}").status_code == 404 and dev.get(f"/scans/{prod_scan}").status_code == 404
    assert admin.get("/api/v1/scans", params={"cursor": "garbage"}).status_code == 400
    assert admin.get("/api/v1/events").json() == {"items": [], "next_cursor": None}
    audit.record(server_store.engine, actor="someone-else", action="suppression.add", subject=f"rule x {PROD}")
    log = dev.get("/api/v1/audit").json()
    assert log["verify"]["ok"] and log["own_only"] and all(e["actor"] == dev.user_name for e in log["items"])  # type: ignore[attr-defined]
    assert "someone-else" in str(admin.get("/api/v1/audit").json())
    teams = admin.get("/api/v1/teams").json()
    assert teams["items"] == [] and {o["owner"] for o in teams["owners"]} == {"security"}
    assert admin.get("/api/v1/gate-runs").json() == {"items": [], "next_cursor": None}


def test_overview_on_postgresql(pg_client_as: Callable[..., TestClient]) -> None:
    dev = pg_client_as(Role.VIEWER, "dev")
    ov = dev.get("/api/v1/overview").json()
    assert ov["open"]["total"] == 4 and PROD not in str(ov)
    assert dev.get("/").status_code == 200 and dev.get("/standards/baseline").status_code == 200


def test_the_overview_is_reused_until_the_data_changes(client_as: Callable[..., TestClient], server_store: Store) -> None:
    """Computed once per (reader, data version, minute); a status change makes the next request recompute it."""
    from datetime import UTC, datetime

    from mamori.model.finding import Finding, FindingStatus, Severity

    viewer = client_as(Role.VIEWER, "dev")
    first = viewer.get("/api/v1/overview").json()
    cache = viewer.app.state.overview_cache  # type: ignore[attr-defined]
    size = len(cache)
    assert viewer.get("/api/v1/overview").json() == first and len(cache) == size, "the same reader and data: reused"
    now = datetime.now(UTC)
    new = Finding("new-dev-1", "t_bucket_public", "Buckets are not public", Severity.CRITICAL, FindingStatus.NEW, "aws.s3.bucket",
                  "dev-new", "arn:aws:s3:::dev-new", DEV, "us-east-1", {}, now, now)  # fmt: skip
    server_store.upsert_findings([new], actor="test", now=now)
    after = viewer.get("/api/v1/overview").json()
    assert after["open"]["critical"] == first["open"]["critical"] + 1, "a new finding is seen at once"
