"""`mamori keys report|enforce|revoke` against a moto server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from mamori.demo import emulator
from tests.remediate.conftest import ACCOUNT, ServerAws


def _keys(server: ServerAws) -> dict[str, str]:
    iam = server.client("iam")
    out = {}
    for user, age in (("fresh", 5), ("warned", 83), ("old", 100)):
        iam.create_user(UserName=user, Tags=[{"Key": "email", "Value": f"{user}@acme.example"}])
        out[user] = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
        emulator.backdate_access_key(ACCOUNT, user, 0, days=age)
    return out


def test_report_formats(mamori: Any, server: ServerAws) -> None:
    keys = _keys(server)
    doc = json.loads(mamori("keys", "report", "--endpoint-url", server.endpoint, "-o", "json").out)
    rows = {r["user"]: r for r in doc}
    assert rows["old"]["access_key_id"] == keys["old"] and rows["old"]["age_days"] == 100 and rows["old"]["owner"] == "old@acme.example"
    assert set(rows["old"]) >= {"last_used_date", "last_used_service", "last_used_region", "console_access", "mfa_active"}
    table = mamori("keys", "report", "--endpoint-url", server.endpoint)
    assert keys["warned"] in table.out
    got = list(csv.DictReader(io.StringIO(mamori("keys", "report", "--endpoint-url", server.endpoint, "-o", "csv").out)))
    assert {r["user"] for r in got} >= {"fresh", "warned", "old"}


def test_enforce_dry_run_then_apply(mamori: Any, server: ServerAws) -> None:
    keys = _keys(server)
    dry = mamori("keys", "enforce", "--endpoint-url", server.endpoint, "-o", "json")
    assert dry.code == 0, dry.err
    res = {k["user"]: k["result"] for k in json.loads(dry.out)["keys"]}
    assert res["warned"] == "would notify" and res["old"] == "would disable and notify" and res["fresh"] == ""
    assert "dry run" in mamori("keys", "enforce", "--endpoint-url", server.endpoint).out
    done = mamori("keys", "enforce", "--endpoint-url", server.endpoint, "--apply")
    assert done.code == 0, done.err
    assert "disabled, owner notified" in done.out and "notified" in done.out
    assert server.client("iam").list_access_keys(UserName="old")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    again = json.loads(mamori("keys", "enforce", "--endpoint-url", server.endpoint, "--apply", "-o", "json").out)
    assert [k for k in again["keys"] if k["result"]] == []
    assert {e["action"] for e in json.loads(mamori("audit", "list", "-o", "json").out)} >= {"keys.notify", "keys.enforce", "remediate.change"}
    assert mamori("keys", "enforce", "--apply", "--snapshot", __file__).code == 2
    assert keys


def test_enforce_unknown_channel_is_a_config_error(mamori: Any, server: ServerAws, tmp_path: Path) -> None:
    _keys(server)
    (tmp_path / "mamori.yaml").write_text("keys: {notify: [pager]}\n")
    r = mamori("keys", "enforce", "--endpoint-url", server.endpoint, "--apply")
    assert r.code == 2 and "keys.notify" in r.err


def test_revoke(mamori: Any, server: ServerAws) -> None:
    keys = _keys(server)
    dry = mamori("keys", "revoke", keys["fresh"], "--endpoint-url", server.endpoint, "--dry-run")
    assert dry.code == 0 and "dry run: nothing changed" in dry.out
    r = mamori("keys", "revoke", keys["fresh"], "--endpoint-url", server.endpoint, "-o", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["user"] == "fresh" and doc["status_before"] == "Active" and doc["dry_run"] is False
    assert {c["status"] for c in doc["plan"]["changes"]} == {"applied"}
    table = mamori("keys", "revoke", keys["fresh"], "--endpoint-url", server.endpoint)
    assert "Investigate next" in table.out and f"mamori logs query key {keys['fresh']}" in table.out
    assert mamori("keys", "revoke", "AKIAIOSFODNN7EXAMPLE", "--endpoint-url", server.endpoint).code == 3
    assert mamori("keys", "revoke", "nonsense", "--endpoint-url", server.endpoint).code == 2
