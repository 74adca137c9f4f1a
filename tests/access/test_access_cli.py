"""`mamori access` and `mamori runbook` end to end, in-process against moto (the issue's walk-through)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from mamori.logs.store import LogStore
from tests.access.conftest import ACCOUNT, RUNBOOK, IdentityCenter
from tests.clirun import Run, runner

CONFIG = """\
access:
  approvers: [bob, carol]
  approvals_required: 1
  max_duration: 4h
  notify: [memory]
  permission_sets:
    AdministratorAccess: {approvals_required: 2, max_duration: 1h}
"""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    (tmp_path / "mamori.yaml").write_text(CONFIG)
    monkeypatch.setenv("MAMORI_CONFIG", str(tmp_path / "mamori.yaml"))
    monkeypatch.setenv("MAMORI_DB", str(tmp_path / "mamori.db"))
    monkeypatch.setenv("MAMORI_LOGS_DB", str(tmp_path / "logs.duckdb"))
    monkeypatch.delenv("MAMORI_ACTOR", raising=False)
    return runner(capsys)


def _json(r: Run) -> Any:
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_walkthrough_request_approve_runbook_expire(run: Callable[..., Run], ic: IdentityCenter, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    ic.client("s3").create_bucket(Bucket="shop-assets")
    monkeypatch.setenv("MAMORI_NOW", "2026-12-07T10:00:00Z")
    req = _json(run("access", "request", "--account", ACCOUNT, "--permission-set", "Operator", "--duration", "1h",
                    "--reason", "close the public bucket", "--finding", "F-1", "--actor", "alice", "-o", "json"))  # fmt: skip
    rid = req["id"]
    assert rid.startswith("AR-") and req["approvers"] == ["bob", "carol"]
    # the requester cannot approve: exit 2, nothing granted
    r = run("access", "approve", rid, "--actor", "alice")
    assert r.code == 2 and "cannot approve" in r.err and not ic.assigned("alice", "Operator")
    monkeypatch.setenv("MAMORI_ACTOR", "bob")
    got = _json(run("access", "approve", rid, "-o", "json"))
    assert got["status"] == "active" and ic.assigned("alice", "Operator")
    assert [x["id"] for x in _json(run("access", "list", "--status", "active", "-o", "json"))["items"]] == [rid]
    # a runbook: written by dave, reviewed by carol, run by alice under her grant
    path = tmp_path / "close.yaml"
    path.write_text(RUNBOOK)
    assert run("runbook", "add", str(path), "--actor", "dave").code == 0
    assert run("runbook", "approve", "close-public-bucket", "--actor", "dave").code == 2
    assert run("runbook", "approve", "close-public-bucket", "--actor", "carol").code == 0
    res = _json(run("runbook", "run", "close-public-bucket", "--request", rid, "--actor", "alice", "-o", "json"))
    assert res["status"] == "succeeded" and res["steps"][0]["result"] == "verified"
    path.write_text(RUNBOOK + "# edited\n")
    r = run("runbook", "run", "close-public-bucket", "--request", rid, "--actor", "alice")
    assert r.code == 2 and "changed since its approval" in r.err
    # CloudTrail calls under the grant, from the log store
    with LogStore(tmp_path / "logs.duckdb") as logs:
        logs.insert_records([_event("e1", "2026-12-07T10:05:00Z", "PutPublicAccessBlock", "alice"),
                             _event("e2", "2026-12-07T10:06:00Z", "GetObject", "zoe"),
                             _event("e3", "2026-12-07T12:00:00Z", "DeleteBucket", "alice")])  # fmt: skip
    # expiry (the clock moves past the end)
    monkeypatch.setenv("MAMORI_NOW", "2026-12-07T11:00:01Z")
    assert _json(run("access", "expire", "-o", "json")) == {"expired": [rid]}
    assert not ic.assigned("alice", "Operator")
    rep = _json(run("access", "report", rid, "-o", "json"))
    assert [c["event_name"] for c in rep["calls"]] == ["PutPublicAccessBlock"]
    assert [s["action"] for run_ in rep["runs"] for s in run_["steps"]] == ["s3_bucket_block_public_access"]
    text = run("access", "report", rid)
    assert "PutPublicAccessBlock" in text.out and "verified" in text.out
    verify = run("audit", "verify")
    assert verify.code == 0, verify.out + verify.err
    actions = [e["action"] for e in rep["audit"]]
    assert actions == ["access.request", "access.approve", "access.approve", "access.grant", "access.expire"]


def _event(eid: str, at: str, name: str, user: str) -> dict[str, Any]:
    return {
        "eventID": eid, "eventTime": at, "eventSource": "s3.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "recipientAccountId": ACCOUNT, "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli",
        "userIdentity": {"type": "AssumedRole", "accountId": ACCOUNT, "principalId": f"AROAEXAMPLE:{user}",
                         "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Operator_0123456789abcdef/{user}"},
    }  # fmt: skip


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP server that keeps every JSON body POSTed to it."""
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def test_break_glass_pages_the_approvers_and_review_close(run: Callable[..., Run], ic: IdentityCenter, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, webhook: Any) -> None:  # fmt: skip
    url, got_posts = webhook
    (tmp_path / "mamori.yaml").write_text(CONFIG.replace("notify: [memory]", "notify: [page]") +
                                          f"notifications:\n  channels:\n    page: {{type: webhook, url: '{url}'}}\n")  # fmt: skip
    monkeypatch.setenv("MAMORI_NOW", "2026-12-07T10:00:00Z")
    got = _json(run("access", "break-glass", "--account", ACCOUNT, "--permission-set", "Operator", "--duration", "30m",
                    "--reason", "outage", "--ticket", "INC-7", "--actor", "alice", "-o", "json"))  # fmt: skip
    assert got["status"] == "active" and got["review"] == "open" and got["notified"] == "webhook: sent"
    [page] = got_posts
    assert page["kind"] == "access.break_glass" and got["id"] in page["body"] and page["recipients"] == ["bob", "carol"]
    assert ic.assigned("alice", "Operator")
    assert run("access", "review-close", got["id"], "--note", "ok", "--actor", "alice").code == 2
    assert run("access", "review-close", got["id"], "--note", "justified", "--actor", "carol").code == 0
    assert _json(run("access", "list", "-o", "json"))["items"][0]["review"] == "closed"


def test_bad_input_exits_2(run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    r = run("access", "request", "--account", "1", "--permission-set", "Operator", "--duration", "1h", "--reason", "x", "--ticket", "T")
    assert r.code == 2 and "12-digit" in r.err
    monkeypatch.setenv("MAMORI_NOW", "yesterday")
    r = run("access", "expire")
    assert r.code == 2 and "MAMORI_NOW" in r.err
    assert run("access", "approve", "AR-nope", "--actor", "bob").code == 2


def test_an_unknown_notification_channel_is_refused_before_anything_is_recorded(run: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "mamori.yaml").write_text(CONFIG.replace("notify: [memory]", "notify: [pager]"))
    r = run("access", "request", "--account", ACCOUNT, "--permission-set", "Operator", "--duration", "1h", "--reason", "x", "--ticket", "T")
    assert r.code == 2 and "access.notify" in r.err and "pager" in r.err
    assert _json(run("access", "list", "-o", "json"))["items"] == []
