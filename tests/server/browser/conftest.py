"""Browser fixtures of the server (Playwright for Python driving Debian's chromium; no `playwright install`).

    live_server      mamori serve (uvicorn in a thread) on 127.0.0.1 over a copy of the server_store
                     template, with SSO configured against the fake IdP (tests/server/fake_idp.py);
                     ``live_server.add_user(role, group=None) -> (name, password)``
    browser          one headless chromium per test session (per xdist worker)
    page             a fresh context and page per test. Every request to a host other than
                     127.0.0.1 is aborted and fails the test; so does any console error or page
                     error (a CSP violation is a console error)
    sign_in(page, live_server, name, password)   the login form, as a person fills it

Keep the whole server's browser tests <= 20 and < 120 s: add 2-4 per area.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

from mamori.config import Config
from mamori.users import Role

from ..conftest import GROUPS, PASSWORD, make_app
from ..fake_idp import FakeIdp, free_port, oidc_config, running_idp

CHROMIUM = "/usr/bin/chromium"
_names = itertools.count(1)


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    idp: FakeIdp

    def add_user(self, role: Role | str, group: str | None = None, *, password: str = PASSWORD) -> tuple[str, str]:
        name = f"b-{Role(role).value}-{group or 'all'}-{next(_names)}"
        self.app.state.users.add_user(name, role=Role(role), password=password, account_group=group, actor="test")
        return name, password


@pytest.fixture(scope="session")
def browser_idp() -> Iterator[FakeIdp]:
    with running_idp() as idp:
        yield idp


@pytest.fixture(scope="session")
def live_server(_server_template: Path, tmp_path_factory: pytest.TempPathFactory, browser_idp: FakeIdp) -> Iterator[LiveServer]:
    d = tmp_path_factory.mktemp("live")
    shutil.copy(_server_template, d / "mamori.db")
    cfg = Config.model_validate({"account_groups": GROUPS, "server": {"oidc": oidc_config(browser_idp)}})
    app = make_app(f"sqlite:///{d}/mamori.db", cfg)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, browser_idp)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browsers` (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class Watch:
    offsite: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    allowed_console: list[str] = field(default_factory=list)  # substrings a test expects (e.g. a 403 it provoked)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def only_local(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname != "127.0.0.1" and not request.url.startswith(("data:", "about:")):
            watch.offsite.append(request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_local)
    pg = context.new_page()

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            watch.console.append(msg.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: watch.console.append(f"page error: {exc}"))
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()
    assert not watch.offsite, f"requests to other hosts: {watch.offsite}"
    unexpected = [m for m in watch.console if not any(a in m for a in watch.allowed_console)]
    assert not unexpected, f"console errors (a CSP violation is one): {unexpected}"


def sign_in(page: Page, server: LiveServer, name: str, password: str = PASSWORD, path: str = "/") -> None:
    page.goto(server.url + path)
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_load_state()
