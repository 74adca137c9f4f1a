"""The engagement tasks on the server: per team and app, with due dates, filtered by the caller's accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from mamori.engage.content import builtin_content
from mamori.engage.service import AnswerRequest, answer
from mamori.engage.verify import after_scan
from mamori.findings import Store
from mamori.model.resource import Inventory, Resource
from mamori.users import Role
from tests.engage.conftest import answers

PROD, DEV = "111111111111", "222222222222"


def _seed(store: Store) -> None:
    now = datetime.now(UTC)
    c = builtin_content()
    answer(store.engine, c, AnswerRequest("shop", "payments", answers()), actor="alice", now=now)
    answer(
        store.engine,
        c,
        AnswerRequest("blog", "web", answers(stores_personal_data=False)),
        actor="bob",
        now=now,
    )
    answer(
        store.engine, c, AnswerRequest("ghost", "web", answers()), actor="bob", now=now
    )  # never seen by a scan
    inv = Inventory([
        Resource("aws", PROD, "us-east-1", "aws.s3.bucket", "shop-data", tags={"app": "shop"}),
        Resource("aws", DEV, "us-east-1", "aws.s3.bucket", "blog-assets", tags={"app": "blog"}),
    ], collected_at=now)  # fmt: skip
    after_scan(store, None, inv, [], set(), now=now)


def test_tasks_per_team_and_app_scoped_to_the_callers_accounts(
    server_store: Store, client_as: Callable[..., TestClient]
) -> None:
    _seed(server_store)
    everyone = client_as(Role.VIEWER).get("/api/v1/engage/tasks").json()
    assert {t["app"] for t in everyone["items"]} == {"shop", "blog", "ghost"} and everyone[
        "next_cursor"
    ] is None
    assert all(len(t["due"]) == 10 and t["team"] for t in everyone["items"])
    dev = client_as(Role.VIEWER, "dev").get("/api/v1/engage/tasks").json()
    assert {t["app"] for t in dev["items"]} == {"blog"}
    prod_only = client_as(Role.ADMIN, "prod").get("/api/v1/engage/tasks", params={"status": "open"}).json()
    assert {t["app"] for t in prod_only["items"]} == {"shop"} and {
        t["status"] for t in prod_only["items"]
    } == {"open"}
    assert client_as(Role.VIEWER, "nosuchgroup").get("/api/v1/engage/tasks").json()["items"] == []
    web = client_as(Role.VIEWER).get("/api/v1/engage/tasks", params={"team": "web"}).json()
    assert {t["team"] for t in web["items"]} == {"web"}
    assert client_as(Role.VIEWER).get("/api/v1/engage/tasks", params={"status": "bogus"}).status_code == 400


def test_the_engage_page(server_store: Store, browser_client_as: Callable[..., TestClient]) -> None:
    _seed(server_store)
    page = browser_client_as(Role.VIEWER).get("/engage")
    assert page.status_code == 200
    assert "Team payments" in page.text and "Team web" in page.text and "next due" in page.text
    dev = browser_client_as(Role.VIEWER, "dev").get("/engage", params={"app": "shop"})
    assert dev.status_code == 200 and "Team payments" not in dev.text and "engage-empty" in dev.text
    mine = browser_client_as(Role.VIEWER, "dev").get("/engage").text
    assert "Team web" in mine and "Team payments" not in mine and "ghost" not in mine


def test_anonymous_callers_are_refused(app: object) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    with TestClient(app) as c:
        assert c.get("/api/v1/engage/tasks").status_code == 401
        r = c.get("/engage", follow_redirects=False)
        assert r.status_code in (302, 303, 307) and "/login" in r.headers["location"]
