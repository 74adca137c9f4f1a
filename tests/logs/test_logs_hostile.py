"""`logs ingest` on hostile CloudTrail records: a bad record is reported, never the end of the ingest (issue 12 item 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.logs import LogStore
from mamori.logs.flatten import MAX_JSON_CHARS, MAX_TEXT_CHARS, NAMES, dumps_deep, flatten


def rec(event_id: str, **change: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "eventVersion": "1.08", "eventID": event_id, "eventTime": "2026-01-01T00:00:00Z", "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9", "recipientAccountId": "123456789012",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/a", "accountId": "123456789012", "userName": "a"},
    }  # fmt: skip
    r.update(change)
    return r


def nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    cur = root
    for _ in range(depth):
        cur["a"] = {}
        cur = cur["a"]
    cur["leaf"] = "x"
    return root


def _ingest(tmp_path: Path, files: dict[str, list[dict[str, Any]]]) -> tuple[LogStore, Any]:
    for name, records in files.items():
        # the stdlib writer: orjson itself refuses to write 300 levels
        (tmp_path / name).write_text(json.dumps({"Records": records}))
    store = LogStore(tmp_path / "logs.duckdb")
    return store, store.ingest([tmp_path / n for n in files], batch_size=1000)


def _ids(store: LogStore) -> set[str]:
    return {r[0] for r in store.con.execute("SELECT event_id FROM events").fetchall()}


def test_requestparameters_300_deep_is_stored_in_full(tmp_path: Path) -> None:
    store, rep = _ingest(tmp_path, {"a.json": [rec("ok-1"), rec("deep", requestParameters=nested(300)), rec("ok-2")]})
    with store:
        assert rep.inserted == 3 and rep.stats.malformed_count == 0 and rep.repaired_count == 0
        [(params,)] = store.con.execute("SELECT request_parameters FROM events WHERE event_id = 'deep'").fetchall()
        assert json.loads(params) == nested(300)


def test_one_50mb_field_keeps_every_other_row(tmp_path: Path) -> None:
    big = rec("big", requestParameters={"policy": "A" * 50_000_000}, userAgent="U" * 200_000)
    store, rep = _ingest(tmp_path, {"a.json": [rec("a-1"), big, rec("a-2")], "b.json": [rec("b-1")]})
    with store:
        assert _ids(store) == {"a-1", "big", "a-2", "b-1"} and rep.inserted == 4
        [(params, agent)] = store.con.execute("SELECT request_parameters, user_agent FROM events WHERE event_id = 'big'").fetchall()
        marker = json.loads(params)
        assert marker["mamori_truncated"] is True and marker["chars"] > 50_000_000 and marker["prefix"].startswith('{"policy":"AAA')
        assert len(agent) == MAX_TEXT_CHARS
        [item] = rep.repaired
        assert item.source == str(tmp_path / "a.json") and item.where == "eventID big"
        assert "requestParameters is 50,000,013 characters" in item.reason and "userAgent is 200,000 characters" in item.reason
        assert rep.to_dict()["repaired"] == 1


def test_nul_bytes_are_stored(tmp_path: Path) -> None:
    store, rep = _ingest(tmp_path, {"a.json": [rec("nul", userAgent="a\x00b", requestParameters={"k\x00": "v\x00"}), rec("ok")]})
    with store:
        assert rep.inserted == 2
        [(agent, params)] = store.con.execute("SELECT user_agent, request_parameters FROM events WHERE event_id = 'nul'").fetchall()
        assert agent == "a\x00b" and json.loads(params) == {"k\x00": "v\x00"}


@pytest.mark.parametrize(("when", "stored"), [("0001-01-01T00:00:00Z", "0001-01-01 00:00:00"), ("2026-02-30T00:00:00Z", None), ("+99:00", None)])
def test_odd_event_times(tmp_path: Path, when: str, stored: str | None) -> None:
    store, rep = _ingest(tmp_path, {"a.json": [rec("t", eventTime=when), rec("ok")]})
    with store:
        assert rep.inserted == 2
        [(t,)] = store.con.execute("SELECT CAST(event_time AS VARCHAR) FROM events WHERE event_id = 't'").fetchall()
        assert t == stored
        assert rep.repaired_count == (0 if stored else 1)
        if stored is None:
            assert "is not a timestamp; stored without a time" in rep.repaired[0].reason


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=20,
)  # fmt: skip
HUGE = ["é" * (MAX_TEXT_CHARS + 1), {"p": "A" * MAX_JSON_CHARS}, ["\x00" * 10]]
FIELDS = ["eventTime", "awsRegion", "userAgent", "errorMessage", "readOnly", "userIdentity", "requestParameters", "responseElements", "recipientAccountId", "eventType"]


@given(value=JSON_VALUES, depth=st.integers(0, 400))
def test_dumps_deep_round_trips(value: Any, depth: int) -> None:
    doc: Any = value
    for _ in range(depth):
        doc = [doc]
    text = dumps_deep(doc)
    assert json.loads(text) == doc
    if depth < 200:
        assert orjson.loads(text) == orjson.loads(orjson.dumps(doc))  # same JSON as the fast encoder writes


@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES | st.integers(0, 600).map(nested) | st.sampled_from(HUGE), max_size=4))
def test_flatten_any_record_gives_a_storable_bounded_row(changes: dict[str, Any]) -> None:
    notes: list[str] = []
    row = flatten(rec("e", **changes), "f.json", notes)
    assert tuple(row) == NAMES
    line = orjson.dumps(row)  # what the store stages; never raises
    assert len(line) < 16 * 1024 * 1024
    for name in ("request_parameters", "response_elements"):
        if row[name] is not None:
            assert len(row[name]) <= MAX_JSON_CHARS + 5000
            json.loads(row[name])  # valid JSON, whatever the depth
