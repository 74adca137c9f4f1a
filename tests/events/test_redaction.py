"""Issue 12 item 7: credentials inside CloudTrail events are never stored or printed in full.

A token, a password, a secret access key and a session token in ``requestParameters`` /
``responseElements`` go through ``events replay`` and ``logs ingest``; none of them appears
in ``events history -o json``, ``findings list/show``, the SQLite store file or the DuckDB
log store, while the access key id (an identifier) stays queryable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest

from mamori.events.redact import marker, redact_in_place, redacted, sensitive_key
from mamori.logs.flatten import flatten
from tests.clirun import Run

from .helpers import record, role_session, stop_logging

KEY_ID = "AKIAZ7QLMX3RC2VTNWHB"
SECRET_KEY = "q8Vd2kLm7RtX4pWz9nB3cY6hJ1fG5sA0eK8uN2oQ"  # 40 characters, high entropy
SESSION = "IQoJb3JpZ2luX2VjEJr" + "Xq7Vz2Lp9Kd4Mn8Bc3Rt6Wy1" * 8
PASSWORD = "correct-horse-battery-staple-42"
GITHUB = "ghp_" + "aZ3kP9qL2mX7vB4nR8tW1yC6dF0gH5jK2sE9"
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.Zk3pQ9vL2mX7bN4rT8wY1cF6dG0hJ5kS2eA9qU3oI7"
SECRETS = (SECRET_KEY, SESSION, PASSWORD, GITHUB, BEARER.split()[1])


def _hostile() -> list[dict[str, Any]]:
    ident = role_session()
    ident["accessKeyId"] = KEY_ID
    stop = stop_logging("org-trail", ident=ident)
    stop["requestParameters"] = {
        "name": "org-trail", "password": PASSWORD, "note": f"token {GITHUB}", "headers": {"Authorization": BEARER},
        "config": f"aws_secret_access_key = {SECRET_KEY}",
    }  # fmt: skip
    stop["responseElements"] = {"credentials": {"accessKeyId": KEY_ID, "secretAccessKey": SECRET_KEY, "sessionToken": SESSION}}
    return [stop]


def _leaks(text: str) -> list[str]:
    return [s[:12] for s in SECRETS if s in text]


def test_redactor_keeps_identifiers_and_removes_credentials() -> None:
    rec = _hostile()[0]
    out = redacted({"requestParameters": rec["requestParameters"], "responseElements": rec["responseElements"]})
    text = json.dumps(out)
    assert _leaks(text) == [] and KEY_ID in text and "org-trail" in text
    assert rec["requestParameters"]["password"] == PASSWORD  # the record itself is not changed
    assert out["requestParameters"]["password"] == marker(PASSWORD)
    assert marker(PASSWORD).startswith("corr…(redacted, 31 chars, sha256:") and marker("short").startswith("…(redacted")
    plain = {"bucketName": "b", "SecretId": "arn:aws:secretsmanager:us-east-1:1:secret:db", "accessKeyId": KEY_ID}
    assert redacted(plain) is plain and redact_in_place(dict(plain)) == 0


def test_redacting_twice_changes_nothing_more() -> None:
    """Found by the fuzz profile: a marker under a sensitive key was redacted again."""
    once = redacted({"SECRET": "0", "password": PASSWORD})
    assert redacted(once) == once


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [("password", True), ("secretAccessKey", True), ("sessionToken", True), ("Authorization", True),
     ("client_secret", True), ("accessKeyId", False), ("SecretId", False), ("secretArn", False), ("tokenName", False),
     ("bucketName", False)],
)  # fmt: skip
def test_sensitive_keys(key: str, sensitive: bool) -> None:
    assert sensitive_key(key) is sensitive


def test_events_history_findings_and_sqlite_hold_no_credential(tmp_path: Path, mamori: Callable[..., Run]) -> None:
    f = tmp_path / "ct.json"
    f.write_bytes(orjson.dumps({"Records": _hostile()}))
    db = tmp_path / "m.db"
    r = mamori("events", "replay", str(f), "--db", str(db), "-o", "json")
    assert r.code == 0 and _leaks(r.out) == []
    hist = mamori("events", "history", "--db", str(db), "-o", "json")
    assert hist.code == 0 and _leaks(hist.out) == [] and "redacted" in hist.out and KEY_ID in hist.out
    lst = mamori("findings", "list", "--db", str(db), "-o", "json")
    assert lst.code == 0 and _leaks(lst.out) == []
    fid = json.loads(lst.out)[0]["id"] if isinstance(json.loads(lst.out), list) else json.loads(lst.out)["findings"][0]["id"]
    show = mamori("findings", "show", fid, "--db", str(db), "-o", "json")
    assert show.code == 0 and _leaks(show.out) == [] and "redacted" in show.out
    raw = "".join(p.read_bytes().decode("latin-1") for p in tmp_path.glob("m.db*"))  # with the WAL
    assert _leaks(raw) == [] and KEY_ID in raw


def test_logs_ingest_stores_no_credential_and_keeps_the_key_queryable(tmp_path: Path, mamori: Callable[..., Run]) -> None:
    recs = [*_hostile(), record(errorCode="AccessDenied", errorMessage=f"token {GITHUB} is not allowed")]
    f = tmp_path / "ct.json"
    f.write_bytes(orjson.dumps({"Records": recs}))
    db = str(tmp_path / "l.duckdb")
    assert mamori("logs", "ingest", str(f), "--logs-db", db, "-o", "json").code == 0
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute("SELECT request_parameters, response_elements, error_message FROM events").fetchall()
    assert _leaks(json.dumps(rows)) == [] and "redacted" in json.dumps(rows)
    q = mamori("logs", "query", "key", KEY_ID, "--logs-db", db, "-o", "json")
    assert q.code == 0 and json.loads(q.out)["principal"]
    row = flatten(_hostile()[0])
    assert _leaks(json.dumps(row)) == [] and row["access_key_id"] == KEY_ID
