"""Fixtures of the server tests (issue 14; the contract is /work/server-plan.md).

    server_store        a migrated SQLite store in tmp_path with findings of two accounts:
                        111111111111 (group ``prod``) and 222222222222 (group ``dev``), two days of scans
                        (one scan per account),
                        and one imported finding per account whose title is hostile HTML
    server_config       the Config with those account groups
    app                 create_app on server_store (no schedules)
    client_as(role, accounts_group=None) -> TestClient with a Bearer token of a new user
    browser_client_as(role, accounts_group=None) -> TestClient signed in through /login
                        (session cookie); its ``csrf_token`` attribute is the form token
    pg_server_store, pg_app, pg_client_as, pg_browser_client_as   the same on PostgreSQL
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mamori.config import Config
from mamori.findings import Store
from mamori.model import Inventory, Resource
from mamori.model.finding import Finding, FindingStatus, Severity
from mamori.rules import load_rules
from mamori.scan.service import run_scan
from mamori.server.app import create_app
from mamori.server.settings import ServerSettings
from mamori.users import Role
from mamori.users.service import UserStore

from ..standards.conftest import RULES  # the same three rules (volume, bucket, shared user)

PROD, DEV = "111111111111", "222222222222"
GROUPS = {"prod": [PROD], "dev": [DEV]}
DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOW = DAY1 + timedelta(days=1, hours=2)
PASSWORD = "correct horse battery"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _inventory(day: int, account: str, prefix: str, *, fixed: bool = False) -> Inventory:
    res = [
        Resource("aws", account, "us-east-1", "aws.ec2.volume", f"vol-{prefix}1", properties={"encrypted": fixed}),
        Resource("aws", account, "us-east-1", "aws.ec2.volume", f"vol-{prefix}2", properties={"encrypted": True}),
        Resource("aws", account, "us-east-1", "aws.s3.bucket", f"{prefix}-public-bucket", properties={"policy_public": True}),
        Resource("aws", account, "global", "aws.iam.user", f"{prefix}-shared-user", properties={"console_access": True}),
    ]
    inv = Inventory(res, collected_at=DAY1 + timedelta(days=day))
    inv.cover(account, "us-east-1", ["aws.ec2.volume", "aws.s3.bucket"])
    inv.cover(account, "global", ["aws.iam.user"])
    return inv


def build_server_store(url: str, rules_dir: Path) -> None:
    """Two days of scans (one scan per account), then one imported finding per account (hostile title)."""
    rules_dir.mkdir(parents=True, exist_ok=True)
    for name, text in RULES.items():
        (rules_dir / f"{name}.yaml").write_text(text)
    rules = load_rules([rules_dir], builtin=False)
    store = Store.open(url)
    try:
        for day in (0, 1):  # one scan per account and day: a scan id belongs to one account
            for inv in (_inventory(day, PROD, "prod", fixed=day == 1), _inventory(day, DEV, "dev")):
                run_scan(inv, rules, store=store, now=inv.collected_at)
        imported = [
            Finding(f"imp-{acct}", "CVE-2026-0001", HOSTILE, Severity.HIGH, FindingStatus.NEW, "aws.ec2.instance",
                    f"i-{prefix}0001", "", acct, "us-east-1", {"package": "openssl"}, NOW, NOW, source="inspector")
            for acct, prefix in ((PROD, "prod"), (DEV, "dev"))
        ]  # fmt: skip
        store.upsert_findings(imported, actor="test", now=NOW)
    finally:
        store.close()


@pytest.fixture(scope="session")
def _server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("server-template")
    build_server_store(f"sqlite:///{d}/mamori.db", d / "rules")
    return d / "mamori.db"


@pytest.fixture
def server_config() -> Config:
    return Config(account_groups={k: list(v) for k, v in GROUPS.items()})


@pytest.fixture
def server_store(_server_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the session's template store (built once: two scans and imports take a moment)."""
    db = tmp_path / "mamori.db"
    shutil.copy(_server_template, db)
    store = Store.open(f"sqlite:///{db}")
    try:
        yield store
    finally:
        store.close()


def make_app(url: str, config: Config) -> FastAPI:
    return create_app(ServerSettings(db_url=url, config=config, secret_key="test-secret-key", schedules=False,
                                     clock=lambda: datetime.now(UTC)))  # fmt: skip


@pytest.fixture
def app(server_store: Store, server_config: Config) -> Iterator[FastAPI]:
    application = make_app(str(server_store.engine.url), server_config)
    try:
        yield application
    finally:
        application.state.store.close()


_names = itertools.count(1)
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Sign in through the form (GET /login for the CSRF token, POST the form); sets ``client.csrf_token``."""
    page = client.get("/login")
    r = client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_of(page.text)},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    client.csrf_token = csrf_of(client.get("/login", follow_redirects=True).text)  # type: ignore[attr-defined]
    return client


def _client_factory(app: FastAPI, *, browser: bool) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []
    users = UserStore(app.state.store.engine)

    def make(role: Role | str, accounts_group: str | None = None, *, name: str | None = None) -> TestClient:
        who = name or f"{Role(role).value}-{accounts_group or 'all'}-{next(_names)}"
        client = TestClient(app, base_url="http://127.0.0.1")
        clients.append(client)
        if browser:
            users.add_user(who, role=Role(role), password=PASSWORD, account_group=accounts_group, actor="test")
            login(client, who)
        else:
            users.add_user(who, role=Role(role), password=None, account_group=accounts_group, actor="test")
            _, token = users.create_token(who, actor="test")
            client.headers["Authorization"] = f"Bearer {token}"
        client.user_name = who  # type: ignore[attr-defined]
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client_as(app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    yield from _client_factory(app, browser=False)


@pytest.fixture
def browser_client_as(app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    yield from _client_factory(app, browser=True)


@pytest.fixture(scope="session")
def _pg_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pg-rules")


@pytest.fixture
def pg_server_store(pg_url: str, _pg_rules: Path) -> Iterator[Store]:
    build_server_store(pg_url, _pg_rules)
    store = Store.open(pg_url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def pg_app(pg_server_store: Store, pg_url: str, server_config: Config) -> Iterator[FastAPI]:
    application = make_app(pg_url, server_config)
    try:
        yield application
    finally:
        application.state.store.close()


@pytest.fixture
def pg_client_as(pg_app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    yield from _client_factory(pg_app, browser=False)


@pytest.fixture
def pg_browser_client_as(pg_app: FastAPI) -> Iterator[Callable[..., TestClient]]:
    yield from _client_factory(pg_app, browser=True)


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with small parameters in tests (the production defaults cost ~0.1-0.3 s per hash on this machine)."""
    from argon2 import PasswordHasher

    from mamori.users import service

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(service, "_hasher", fast)
    monkeypatch.setattr(service, "_DUMMY", fast.hash("dummy password"))
