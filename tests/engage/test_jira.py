"""Jira sync through an injected transport: create once, update on change, never duplicate; the token never leaks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from mamori.engage.content import builtin_content
from mamori.engage.jira import LABEL, JiraClient, SyncError, label_of, sync
from mamori.engage.service import AnswerRequest, answer, attest_task, list_tasks
from mamori.errors import InputError
from mamori.findings import Store
from tests.clirun import Run
from tests.engage.conftest import DAY1, answers, write_answers

TOKEN = "s3cr3t-jira-token-value"


class FakeJira:
    """An in-memory Jira: search by label (paged), create, update; counts the calls."""

    def __init__(self) -> None:
        self.issues: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        self.auth: set[str] = set()

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.auth.add(request.headers.get("authorization", ""))
        self.calls.append(f"{request.method} {request.url.path}")
        if request.method == "GET" and request.url.path == "/rest/api/2/search":
            jql = request.url.params["jql"]
            assert f'labels = "{LABEL}"' in jql
            start, size = int(request.url.params["startAt"]), int(request.url.params["maxResults"])
            hits = [{"key": k, "fields": f} for k, f in sorted(self.issues.items()) if LABEL in f["labels"]]
            return httpx.Response(
                200, json={"issues": hits[start : start + min(size, 7)], "total": len(hits)}
            )  # pages of 7
        if request.method == "POST" and request.url.path == "/rest/api/2/issue":
            fields = orjson.loads(request.content)["fields"]
            assert fields["issuetype"] == {"name": "Task"} and fields["project"] == {"key": "SEC"}
            key = f"SEC-{len(self.issues) + 1}"
            self.issues[key] = {k: v for k, v in fields.items() if k not in ("project", "issuetype")}
            return httpx.Response(201, json={"key": key})
        if request.method == "PUT" and request.url.path.startswith("/rest/api/2/issue/"):
            key = request.url.path.rsplit("/", 1)[1]
            self.issues[key].update(orjson.loads(request.content)["fields"])
            return httpx.Response(204)
        return httpx.Response(404, json={"errorMessages": ["no such thing"]})


def _client(fake: FakeJira, **kw: Any) -> JiraClient:
    return JiraClient("https://jira.example.com/", TOKEN, transport=httpx.MockTransport(fake.handler), **kw)


def test_sync_is_idempotent_and_follows_changes(store: Store) -> None:
    c = builtin_content()
    answer(store.engine, c, AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1)
    items = list_tasks(store.engine, now=DAY1)
    fake = FakeJira()
    rep = sync(_client(fake), items, "SEC", now=DAY1)
    assert len(rep.created) == len(items) == len(fake.issues) and not rep.updated
    labels = {lab for f in fake.issues.values() for lab in f["labels"]}
    assert all(label_of(t.id) in labels for t in items)
    assert fake.auth == {f"Bearer {TOKEN}"}
    # again: nothing created, nothing updated
    rep2 = sync(_client(fake), list_tasks(store.engine, now=DAY1), "SEC", now=DAY1)
    assert (len(rep2.created), len(rep2.updated), len(rep2.unchanged)) == (0, 0, len(items))
    assert rep2.keys == rep.keys
    # a task attested and another no longer applicable: exactly those two are updated; no issue is created
    contact = next(t for t in items if t.template == "incident-contact")
    attest_task(
        store.engine,
        contact.id,
        by="carol",
        evidence="wiki",
        expires_at=DAY1 + timedelta(days=90),
        actor="alice",
        now=DAY1,
    )
    answer(
        store.engine,
        c,
        AnswerRequest("shop", "payments", answers(file_uploads=True, has_web_ui=False)),
        actor="alice",
        now=DAY1,
    )
    after = list_tasks(store.engine, now=DAY1)
    rep3 = sync(_client(fake), after, "SEC", now=DAY1)
    new_templates = {t.template for t in after} - {t.template for t in items}
    assert len(rep3.created) == len(new_templates) == 1  # upload-scanning
    na = {t.id for t in after if t.status.value == "not_applicable"}
    assert set(rep3.updated) == na | {contact.id}
    assert "mamori-status-attested" in fake.issues[rep.keys[contact.id]]["labels"]
    assert len(fake.issues) == len(items) + 1


def test_errors_are_mamori_errors_without_the_token() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errorMessages": ["You are not authenticated"]})

    client = JiraClient(
        "https://jira.example.com", TOKEN, user="me@example.com", transport=httpx.MockTransport(refuse)
    )
    with pytest.raises(SyncError, match="401") as err:
        sync(client, [], "SEC")
    assert TOKEN not in str(err.value)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("boom " + request.headers.get("authorization", ""))

    with pytest.raises(SyncError, match="could not be reached") as err2:
        sync(JiraClient("https://jira.example.com", TOKEN, transport=httpx.MockTransport(down)), [], "SEC")
    assert TOKEN not in str(err2.value)
    with pytest.raises(InputError, match="project key"):
        sync(_client(FakeJira()), [], 'SEC" OR 1=1')
    with pytest.raises(InputError, match="credentials"):
        JiraClient("https://u:p@jira.example.com", TOKEN)
    with pytest.raises(InputError, match="no Jira token"):
        JiraClient("https://jira.example.com", "")


def test_cli_sync_reads_the_token_from_the_environment(
    mamori: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    fake = FakeJira()
    monkeypatch.setattr("mamori.cli.engage._transport", lambda: httpx.MockTransport(fake.handler))
    write_answers(tmp_path / "a.yaml", answers())
    assert mamori("engage", "answer", "--app", "shop", "--team", "payments", "--answers", "a.yaml").code == 0
    r = mamori("engage", "sync", "--jira", "https://jira.example.com", "--project", "SEC")
    assert r.code == 2 and "no Jira token: set the environment variable MAMORI_JIRA_TOKEN" in r.err
    monkeypatch.setenv("MAMORI_JIRA_TOKEN", TOKEN)
    r = mamori("engage", "sync", "--jira", "https://jira.example.com", "--project", "SEC", "-o", "json")
    assert r.code == 0, r.err
    first = orjson.loads(r.out)
    assert first["created"] == len(fake.issues) > 30
    r = mamori("engage", "sync", "--jira", "https://jira.example.com", "--project", "SEC", "-o", "json")
    second = orjson.loads(r.out)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, first["created"])
    assert TOKEN not in r.out + r.err
    shown = mamori("engage", "tasks", "-o", "json")
    assert all(t["jira"] and t["jira"].startswith("SEC-") for t in orjson.loads(shown.out)["tasks"])
