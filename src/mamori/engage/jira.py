"""Sync engagement tasks to Jira, idempotently, through an injectable HTTP transport.

Every task carries a stable label ``mamori-<task id>`` (plus ``mamori-engage``). A sync
first lists the project's issues labelled ``mamori-engage`` (one paged search), then
creates an issue for each task that has none, updates an issue whose summary,
description, due date or labels differ, and leaves the others alone: running it twice
creates nothing the second time. Tasks that do not apply (``not_applicable``) get no new
issue; an existing one is updated to say so.

The token is read by the caller (from an environment variable) and never appears in an
error or in the result. Tests inject ``httpx.MockTransport``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from mamori.engage.service import NA, Task
from mamori.errors import InputError, MamoriError

LABEL = "mamori-engage"
PAGE = 100
MAX_PAGES = 200


class SyncError(MamoriError):
    """Jira refused or could not be reached."""


def label_of(task_id: str) -> str:
    return f"mamori-{task_id}"


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # task ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not applicable, no issue
    keys: dict[str, str] = field(default_factory=dict)  # task id -> issue key

    def to_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "skipped": len(self.skipped), "issues": dict(sorted(self.keys.items()))}  # fmt: skip


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InputError(f"--jira must be an http(s) URL of the Jira site, got {url!r}")
    if parts.username or parts.password:
        raise InputError("--jira must not carry credentials; give the token through the environment")
    return url.rstrip("/")


def fields_for(task: Task, project: str, now: datetime) -> dict[str, Any]:
    status = task.status_at(now).value
    controls = "; ".join(f"{k}: {', '.join(v)}" for k, v in task.controls.items() if v)
    verify = f"Verified by mamori rules: {', '.join(task.verify.get('rules', []))} on resources tagged " \
             f"{(task.verify.get('scope') or {}).get('tag', 'app')}={task.app}." if task.verify else \
             f"Closed by an attestation: mamori engage attest {task.id} --by ... --evidence ... --expires ..."  # fmt: skip
    description = (
        f"Status in mamori: {status}\n\nWhy: {task.why}\n\nHow: {task.how}\n\nControls: {controls}\n\n{verify}\n\n"
        f"App: {task.app} · team: {task.team} · mamori task {task.id}"
    )
    return {
        "project": {"key": project},
        "summary": f"[{task.app}] {task.title}"[:250],
        "description": description,
        "labels": sorted({LABEL, label_of(task.id), f"mamori-status-{status}"}),
        "duedate": task.due.date().isoformat(),
    }


class JiraClient:
    """The four calls a sync needs (Jira REST API v2). ``token`` is sent as a Bearer token
    (Jira Data Center PAT) or, with ``user``, as Basic auth (Jira Cloud API token)."""

    def __init__(self, base_url: str, token: str, *, user: str | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0) -> None:  # fmt: skip
        if not token:
            raise InputError("no Jira token: set the environment variable named by --token-env")
        self.base = check_base_url(base_url)
        auth = httpx.BasicAuth(user, token) if user else None
        headers = (
            {"Accept": "application/json"}
            if user
            else {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        )
        self.http = httpx.Client(
            base_url=self.base, headers=headers, auth=auth, transport=transport, timeout=timeout
        )

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            r = self.http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise SyncError(f"Jira at {self.base} could not be reached: {type(exc).__name__}") from None
        if r.status_code >= 400:
            detail = ""
            try:
                body = r.json()
                msgs = list(body.get("errorMessages") or []) + [
                    f"{k}: {v}" for k, v in (body.get("errors") or {}).items()
                ]
                detail = "; ".join(str(m) for m in msgs)[:300]
            except (ValueError, AttributeError):
                pass
            raise SyncError(
                f"Jira answered {r.status_code} to {method} {path}" + (f": {detail}" if detail else "")
            )
        return r

    def issues(self, project: str) -> dict[str, dict[str, Any]]:
        """Issues of ``project`` labelled mamori-engage: task label -> {key, fields}."""
        out: dict[str, dict[str, Any]] = {}
        jql = f'project = "{project}" AND labels = "{LABEL}"'
        start = 0
        for _ in range(MAX_PAGES):
            body = self._call("GET", "/rest/api/2/search", params={
                "jql": jql, "startAt": start, "maxResults": PAGE, "fields": "summary,description,labels,duedate"}).json()  # fmt: skip
            got = list(body.get("issues") or [])
            for issue in got:
                f = issue.get("fields") or {}
                for lab in f.get("labels") or []:
                    if lab.startswith("mamori-T-") and lab not in out:
                        out[lab] = {"key": issue["key"], "fields": f}
            start += len(got)
            if not got or start >= int(body.get("total", 0)):
                break
        return out

    def create(self, fields: dict[str, Any]) -> str:
        body = self._call(
            "POST", "/rest/api/2/issue", json={"fields": {**fields, "issuetype": {"name": "Task"}}}
        ).json()
        return str(body["key"])

    def update(self, key: str, fields: dict[str, Any]) -> None:
        self._call(
            "PUT",
            f"/rest/api/2/issue/{key}",
            json={"fields": {k: v for k, v in fields.items() if k != "project"}},
        )


def _differs(have: dict[str, Any], want: dict[str, Any]) -> bool:
    return (
        have.get("summary") != want["summary"]
        or (have.get("description") or "") != want["description"]
        or sorted(have.get("labels") or []) != want["labels"]
        or have.get("duedate") != want["duedate"]
    )


def sync(
    client: JiraClient, items: Iterable[Task], project: str, *, now: datetime | None = None
) -> SyncReport:
    """Create or update one Jira issue per task (see the module doc); returns what it did."""
    if not project or not project.replace("_", "").isalnum():
        raise InputError(f"--project must be a Jira project key (letters, digits, _), got {project!r}")
    now = now or datetime.now(UTC)
    existing = client.issues(project)
    rep = SyncReport()
    for t in items:
        want = fields_for(t, project, now)
        have = existing.get(label_of(t.id))
        if have is None:
            if t.status is NA:
                rep.skipped.append(t.id)
                continue
            rep.keys[t.id] = client.create(want)
            rep.created.append(t.id)
        elif _differs(have["fields"], want):
            client.update(have["key"], want)
            rep.keys[t.id] = have["key"]
            rep.updated.append(t.id)
        else:
            rep.keys[t.id] = have["key"]
            rep.unchanged.append(t.id)
    return rep
