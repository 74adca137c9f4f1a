"""The dashboard shows GCP projects (from a Cloud Asset Inventory scan) beside AWS accounts, and a
project id is accepted wherever an account id is (filters, account groups)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mamori.collect.gcp import read_gcp_assets
from mamori.config import Config
from mamori.demo.gcp_estate import DEMO_NOW, write_demo_export
from mamori.findings import Store
from mamori.rules import load_rules
from mamori.scan.service import run_scan
from mamori.users import Role
from mamori.users.service import UserStore

from .conftest import GROUPS, PROD, make_app


@pytest.fixture
def gcp_app(server_store: Store, tmp_path: Path) -> Iterator[FastAPI]:
    inv = read_gcp_assets(write_demo_export(tmp_path / "export"), DEMO_NOW)
    run_scan(inv, load_rules(), store=server_store, now=DEMO_NOW)
    groups = {**{k: list(v) for k, v in GROUPS.items()}, "gcp-dev": ["demo-dev"]}
    app = make_app(str(server_store.engine.url), Config(account_groups=groups))
    try:
        yield app
    finally:
        app.state.store.close()


def _client(app: FastAPI, group: str | None = None) -> TestClient:
    users = UserStore(app.state.store.engine)
    name = f"viewer-{group or 'all'}"
    users.add_user(name, role=Role.VIEWER, password=None, account_group=group, actor="test")
    _, token = users.create_token(name, actor="test")
    c = TestClient(app, base_url="http://127.0.0.1")
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def test_projects_are_listed_beside_accounts_with_their_cis_gcp_score(gcp_app: FastAPI) -> None:
    c = _client(gcp_app)
    rows = {a["account"]: a for a in c.get("/api/v1/accounts", params={"limit": 500}).json()["items"]}
    assert rows[PROD]["cloud"] == "aws" and rows["demo-dev"]["cloud"] == rows["demo-prod"]["cloud"] == "gcp"
    assert rows["demo-prod"]["scores"]["cis-gcp-3.0"] == 100.0 and rows["demo-dev"]["scores"]["cis-gcp-3.0"] < 50.0
    page = c.get("/accounts").text
    assert "Google Cloud" in page and "demo-dev" in page and PROD in page
    dev = c.get("/api/v1/overview", params={"account": "demo-dev"}).json()
    assert dev["open"]["total"] > 0 and PROD not in str(dev["by_account"])
    found = c.get("/api/v1/findings", params={"account": "demo-dev", "limit": 5}).json()
    assert found["items"] and all(f["resource"]["account"] == "demo-dev" for f in found["items"])


def test_an_account_group_of_projects_scopes_a_reader(gcp_app: FastAPI) -> None:
    c = _client(gcp_app, "gcp-dev")
    rows = c.get("/api/v1/accounts", params={"limit": 500}).json()["items"]
    assert [a["account"] for a in rows] == ["demo-dev"]


def test_account_groups_accept_project_ids_and_reject_garbage() -> None:
    Config(account_groups={"g": ["demo-prod", "123456789012", "organizations/111"]})
    with pytest.raises(ValueError, match="GCP project id"):
        Config(account_groups={"g": ["Not A Project!"]})
