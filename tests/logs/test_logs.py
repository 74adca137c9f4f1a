"""The log store and its queries: known answers on a generated corpus, dedupe, bad input, CLI."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from mamori.logs import LogStore
from mamori.logs.geoip import FastGeo, geo
from mamori.logs.queries import key_activity, root_activity, timeline, top_denied

from ..events.conftest import Run
from ..events.conftest import mamori as mamori
from ..events.helpers import generator


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    gen = generator()
    c = gen.generate(3000, seed=21)
    root = tmp_path_factory.mktemp("arch")
    gen.write_archive(c.records, root)
    c.root = root
    return c


@pytest.fixture
def logstore(corpus: Any, tmp_path: Path) -> Iterator[LogStore]:
    with LogStore(tmp_path / "logs.duckdb") as s:
        rep = s.ingest([corpus.root], batch_size=1000)
        assert rep.inserted == len(corpus.records) and rep.stats.malformed_count == 0
        yield s


def test_reingest_adds_nothing(logstore: LogStore, corpus: Any) -> None:
    rep = logstore.ingest([corpus.root])
    assert (rep.inserted, rep.duplicates) == (0, len(corpus.records)) and logstore.count() == len(corpus.records)


def test_key_activity_known_answers(logstore: LogStore, corpus: Any) -> None:
    t = corpus.truth["leaked_key"]
    res = key_activity(logstore.con, t["access_key_id"], FastGeo())
    [p] = res.section("principal").dicts()
    assert p["principal_arn"] == t["principal"] and p["events"] == t["events"]
    assert p["first_seen"].strftime("%Y-%m-%dT%H:%M:%SZ") == t["first_seen"]
    assert p["last_seen"].strftime("%Y-%m-%dT%H:%M:%SZ") == t["last_seen"]
    apis = {f"{a['event_source']}:{a['event_name']}": {"ok": a["succeeded"], "failed": a["failed"]} for a in res.section("apis").dicts()}
    assert apis == t["calls"]
    [ip] = res.section("source_ips").dicts()
    assert ip["source_ip"] == t["ip"] and ip["country"] == "US" and ip["events"] == t["events"]
    [ck] = res.section("created_keys").dicts()
    assert ck["created_key"] == t["backdoor_key"] and ck["for_user"] == "admin-bob"
    assert key_activity(logstore.con, "AKIA-NOT-THERE", FastGeo()).section("apis").rows == []


def test_top_denied_timeline_and_root(logstore: LogStore, corpus: Any) -> None:
    top = top_denied(logstore.con, 3).section("denied").dicts()
    expected = list(corpus.truth["denied_by_principal"].items())
    assert (top[0]["principal_arn"], top[0]["denied"]) == expected[0]
    assert [r["denied"] for r in top] == [n for _, n in expected[:3]]
    role = corpus.truth["stop_logging"]["principal"]
    tl = timeline(logstore.con, role).section("timeline").dicts()
    expected_n = sum(1 for r in corpus.records if r["userIdentity"].get("sessionContext", {}).get("sessionIssuer", {}).get("arn") == role)
    assert len(tl) == expected_n and [e["event_time"] for e in tl] == sorted(e["event_time"] for e in tl)
    assert sum(e["event_name"] == "StopLogging" for e in tl) == 2
    root = root_activity(logstore.con).section("root").dicts()
    assert len(root) == corpus.truth["root"]["events"]  # the service acting as root is left out
    assert {r["source_ip"] for r in root} == {corpus.truth["root"]["ip"]}


def test_malformed_input_is_reported_and_good_records_stored(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    gen = generator()
    recs = gen.generate(10, seed=1).records
    (d / "a.json").write_bytes(orjson.dumps({"Records": [*recs[:5], {"nope": 1}]}))
    (d / "b.json").write_text("{oops")
    with LogStore(tmp_path / "l.duckdb") as s:
        rep = s.ingest([d])
        assert rep.inserted == 5 and rep.stats.malformed_count == 2
        assert [m.where for m in rep.stats.malformed] == ["record 5", ""]


def test_geoip_is_offline_and_total() -> None:
    g = geo()
    assert g.country("8.8.4.4") == "US" and g.country("133.1.1.10") == "JP"
    assert g.country("10.0.0.1") == "private" and g.country("ec2.amazonaws.com") is None
    assert g.country("2001:4860:4860::8888") == "US"


def test_cli_ingest_and_queries(mamori: Callable[..., Run], corpus: Any, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    r = mamori("logs", "ingest", str(corpus.root), "--logs-db", db, "-o", "json")
    assert r.code == 0 and json.loads(r.out)["inserted"] == len(corpus.records)
    key = corpus.truth["leaked_key"]["access_key_id"]
    j = json.loads(mamori("logs", "query", "key", key, "--logs-db", db, "-o", "json").out)
    assert j["principal"][0]["principal_arn"] == corpus.truth["leaked_key"]["principal"]
    assert j["source_ips"][0]["country"] == "US"
    t = mamori("logs", "query", "key", key, "--logs-db", db)
    assert "ci-deployer" in t.out and "AccessDenied" in t.out
    c = mamori("logs", "query", "denied", "--top", "2", "--logs-db", db, "-o", "csv").out
    rows = list(csv.DictReader(io.StringIO(c)))
    assert len(rows) == 2 and rows[0]["principal_arn"] == next(iter(corpus.truth["denied_by_principal"]))
    multi = mamori("logs", "query", "key", key, "--logs-db", db, "-o", "csv").out
    assert Counter(line for line in multi.splitlines() if line.startswith("# ")) == Counter(
        ["# principal", "# apis", "# source_ips", "# created_keys"])
    role = corpus.truth["stop_logging"]["principal"]
    tl = json.loads(mamori("logs", "query", "timeline", "--principal", role, "--since", "2026-03-02T00:00:00Z", "--logs-db", db, "-o", "json").out)
    assert tl["timeline"] and mamori("logs", "query", "root", "--logs-db", db).code == 0
    assert mamori("logs", "query", "timeline", "--principal", role, "--since", "yesterday", "--logs-db", db).code == 2
    assert mamori("logs", "query", "key", key, "--geoip-db", str(tmp_path / "none.mmdb"), "--logs-db", db).code == 2
