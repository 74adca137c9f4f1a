"""`mamori users ...`, `mamori tokens ...` and `mamori serve` (in-process CLI; serve as a real process)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mamori import audit
from mamori.findings import Store
from tests.clirun import Run, runner


@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("MAMORI_DB", str(tmp_path / "m.db"))
    (tmp_path / "mamori.yaml").write_text("account_groups:\n  dev: ['222222222222']\n")
    return runner(capsys)


def test_users_add_list_disable_and_every_change_is_audited(mamori: Callable[..., Run], monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    r = mamori("users", "add", "alice", "--role", "admin", "--password-stdin", "--by", "root")
    assert r.code == 0 and "user alice added: admin, sees every account" in r.out
    monkeypatch.setattr(sys, "stdin", io.StringIO("another password\n"))
    r = mamori("users", "add", "dora", "--role", "viewer", "--accounts", "dev", "--password-stdin")
    assert r.code == 0 and "group dev" in r.out
    r = mamori("users", "add", "ghost", "--role", "viewer", "--accounts", "nosuch")
    assert r.code == 0 and "not defined" in r.err and "no password" in r.out
    r = mamori("users", "list")
    assert r.code == 0 and "alice" in r.out and "dev" in r.out and "(all)" in r.out
    assert mamori("users", "add", "alice", "--role", "viewer").code == 2
    assert mamori("users", "add", "bob", "--role", "root").code == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    r = mamori("users", "add", "bob", "--role", "viewer", "--password-stdin")
    assert r.code == 2 and "at least 8" in r.err
    r = mamori("users", "disable", "dora", "--by", "root")
    assert r.code == 0 and "disabled" in r.out
    assert mamori("users", "disable", "nobody").code == 2
    store = Store.open(str(tmp_path / "m.db"))
    try:
        got = [(e.actor, e.action, e.subject) for e in audit.entries(store.engine)]
    finally:
        store.close()
    assert ("root", "user.add", "alice") in got and ("root", "user.disable", "dora") in got


def test_tokens_create_prints_the_token_once_as_the_last_line_then_list_and_revoke(mamori: Callable[..., Run]) -> None:
    assert mamori("users", "add", "ci", "--role", "analyst").code == 0
    r = mamori("tokens", "create", "--user", "ci", "--expires", "7d", "--label", "nightly")
    assert r.code == 0
    token = r.out.strip().splitlines()[-1]
    assert token.startswith("mmr_") and r.out.count(token) == 1
    listed = mamori("tokens", "list")
    tid = token.split("_")[1]
    assert tid in listed.out and token.split("_", 2)[2] not in listed.out and "active" in listed.out
    assert '"state": "active"' in mamori("tokens", "list", "-o", "json").out
    assert mamori("tokens", "revoke", tid).code == 0
    assert "revoked" in mamori("tokens", "list", "--user", "ci").out
    assert mamori("tokens", "create", "--user", "nobody").code == 2
    assert mamori("tokens", "create", "--user", "ci", "--expires", "soon").code == 2
    assert mamori("tokens", "revoke", "000000000000").code == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_answers_healthz_and_the_login_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "MAMORI_DB": str(tmp_path / "m.db"), "MAMORI_SECRET_KEY": "k" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "mamori.cli.main", "serve", "--port", str(port), "--no-schedules"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "mamori serve did not start"
                time.sleep(0.2)
        assert r.json() == {"status": "ok"} and "server" not in r.headers
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert 'name="username"' in login.text and login.headers["content-security-policy"].startswith("default-src 'self'")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "no users yet" in err and f"http://127.0.0.1:{port}/" in err
