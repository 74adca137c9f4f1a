"""Issue 12 items 3 and 10 (events side): one bad record or file never stops a replay.

Each reproduction of the issue is a test here: a year-1 eventTime, requestParameters 300
deep, a NUL byte (PostgreSQL), a detection hook that crashes on a shape, one record
deeper than orjson's 1024 levels in a Records file, a gzip bomb.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from mamori.events import DetectionSet, Matcher, load_detections
from mamori.events.ledger import MemoryLedger
from mamori.events.processor import Processor
from mamori.events.reader import ReadStats, TooLarge, decompress, iter_located, split_array
from mamori.events.run import replay
from mamori.events.store import EventStore
from mamori.findings import FindingFilter, Store
from tests.clirun import Run

from .helpers import record, role_session, stop_logging


def _deep(n: int) -> Any:
    v: Any = "bottom"
    for _ in range(n):
        v = {"a": v}
    return v


def _file(tmp: Path, recs: list[Any], name: str = "f.json") -> Path:
    p = tmp / name
    p.write_text(json.dumps({"Records": recs}))  # any depth orjson could read (its writer stops at 255)
    return p


def _replay(paths: list[Path], detections: DetectionSet, store: Store | None = None, **kw: Any) -> Any:
    ledger: Any = EventStore(store.engine) if store else MemoryLedger()
    proc = Processor(Matcher(detections), ledger=ledger, store=store, allow_act=False)
    return replay(paths, proc, **kw), proc


def test_event_time_in_year_1_does_not_abort_the_replay(
    store: Store, tmp_path: Path, detections: DetectionSet
) -> None:
    recs = [
        stop_logging("t0", eventTime="0001-01-01T00:00:00Z"),
        stop_logging("t1"),
        stop_logging("t2", eventTime="9999-12-31T23:59:59+00:00"),
    ]
    rep, proc = _replay([_file(tmp_path, recs)], detections, store)
    assert rep.stats.records == 3 and proc.counts.matches == 3
    assert len(store.findings(FindingFilter(rules=("cloudtrail_stop_logging",)))) == 3


def test_request_parameters_300_deep_is_stored_bounded(
    store: Store, tmp_path: Path, detections: DetectionSet
) -> None:
    rec = stop_logging("deep")
    rec["requestParameters"] = {"name": "deep", "x": _deep(300)}
    rep, _ = _replay([_file(tmp_path, [rec, stop_logging("ok")])], detections, store)
    assert rep.stats.malformed_count == 0 and len(rep.outcomes) == 2
    deep = next(h for h in EventStore(store.engine).history() if h["resource"] == "deep")
    assert "nested deeper than 32 levels" in json.dumps(deep["evidence"], default=str)


def test_nul_bytes_are_stored_on_every_backend(
    store: Store, tmp_path: Path, detections: DetectionSet
) -> None:
    ident = role_session(role="ops\x00evil", session="s\x00")
    rec = stop_logging("trail\x00x", ident=ident, userAgent="ua\x00")
    rep, _ = _replay([_file(tmp_path, [rec, stop_logging("after")])], detections, store)
    assert len(rep.outcomes) == 2 and rep.stats.malformed_count == 0
    found = {f.resource_id for f in store.findings(FindingFilter(rules=("cloudtrail_stop_logging",)))}
    assert found == {"trail\ufffdx", "after"}
    assert "\x00" not in json.dumps(EventStore(store.engine).history(), default=str)


HOOK_DETECTION = """\
id: fragile
title: A detection whose hook assumes a shape
severity: low
mitre: [T1530]
baseline: ["2.5"]
rationale: because it matters a lot
remediation: do the right thing now
events:
  - {source: s3.amazonaws.com, names: [PutBucketPolicy]}
when: {hook: check}
respond:
  - {responder: notify}
"""
HOOK = """\
def check(view, ctx):
    return view.properties["requestParameters"]["bucketPolicy"]["Statement"][0]["Effect"] == "Allow", {}
"""


def test_a_crashing_hook_is_isolated_and_reported_with_file_and_position(tmp_path: Path) -> None:
    d = tmp_path / "det"
    d.mkdir()
    (d / "fragile.yaml").write_text(HOOK_DETECTION)
    (d / "fragile.py").write_text(HOOK)
    ds = load_detections([d])
    good = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    recs = [
        record(
            eventSource="s3.amazonaws.com",
            eventName="PutBucketPolicy",
            requestParameters={"bucketName": "b", "bucketPolicy": good},
        ),
        record(
            eventSource="s3.amazonaws.com",
            eventName="PutBucketPolicy",
            requestParameters={"bucketName": "b", "bucketPolicy": "text"},
        ),
        stop_logging("t"),
    ]
    f = _file(tmp_path, recs)
    rep, _ = _replay([f], ds)
    assert rep.stats.hook_errors == 1 and rep.stats.records == 3
    [bad] = rep.stats.malformed
    assert (bad.source, bad.where) == (str(f), "record 1") and "detection fragile failed" in bad.reason
    fired = sorted(o.match.detection.id for o in rep.outcomes)
    # the same bad record still went through the other detections (s3_bucket_policy_public judged it)
    assert fired == ["cloudtrail_stop_logging", "fragile", "s3_bucket_policy_public"]


def test_a_record_that_crashes_the_processor_is_reported_and_the_rest_goes_on(
    tmp_path: Path, detections: DetectionSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = Processor(Matcher(detections), allow_act=False)
    real: Callable[..., Any] = proc.handle

    def handle(m: Any) -> Any:
        if m.resource == "boom":
            raise OverflowError("date value out of range")
        return real(m)

    monkeypatch.setattr(proc, "handle", handle)
    f = _file(tmp_path, [stop_logging("a"), stop_logging("boom"), stop_logging("c")])
    rep = replay([f], proc)
    assert rep.stats.record_errors == 1 and len(rep.outcomes) == 2
    assert [(m.where, m.reason.split(":")[0]) for m in rep.stats.malformed] == [
        ("record 1", "could not process the record")
    ]


def test_one_record_deeper_than_1024_levels_does_not_lose_its_file(
    tmp_path: Path, detections: DetectionSet
) -> None:
    deep = stop_logging("deep")
    deep["requestParameters"] = {"name": "deep"}
    body = orjson.dumps(deep)[:-1] + b',"x":' + b'{"a":' * 1100 + b"1" + b"}" * 1100 + b"}"
    recs = [orjson.dumps(stop_logging(f"t{i}")) for i in range(3)]
    data = b'{"Records": [' + b",".join([recs[0], body, recs[1], recs[2]]) + b'], "note": "x"}'
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(data)
    stats = ReadStats()
    got = list(iter_located(data, "f.json", stats))
    assert [w for w, _ in got] == ["record 0", "record 2", "record 3"]
    [bad] = stats.malformed
    assert bad.where == "record 1" and "invalid JSON" in bad.reason
    rep, _ = _replay([_file(tmp_path, [])], detections)  # and a replay still reads the other files
    assert rep.stats.malformed_count == 0


@pytest.mark.parametrize(
    ("data", "spans"),
    [
        (b'{"Records": []}', []),
        (b'[1, "a,]", {"b": [2, 3]}]', [b"1", b' "a,]"', b' {"b": [2, 3]}']),
        (b'{"x": "Records", "y": [1], "Records": [{"k": "\\"]"}]}', [b'{"k": "\\"]"}']),
        (b'{"Records": {"a": 1}}', None),
        (b'"just a string"', None),
    ],
)
def test_split_array(data: bytes, spans: list[bytes] | None) -> None:
    got = split_array(data)
    assert (None if got is None else [data[a:b] for a, b in got]) == spans


def test_a_gzip_bomb_is_reported_and_skipped_within_the_cap(tmp_path: Path, detections: DetectionSet) -> None:
    cap = 5 * 1024 * 1024
    bomb = tmp_path / "a-bomb.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as g:  # 64 MiB of JSON in ~64 KB
        g.write(b'{"Records": [' + b" " * (64 * 1024 * 1024) + b"]}")
    assert bomb.stat().st_size < 200_000
    good = tmp_path / "b-good.json.gz"
    good.write_bytes(gzip.compress(orjson.dumps({"Records": [stop_logging("t")]})))
    tracemalloc.start()
    try:
        rep, _ = _replay([tmp_path], detections, max_bytes=cap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rep.stats.oversize == 1 and rep.stats.records == 1 and len(rep.outcomes) == 1
    [m] = rep.stats.malformed
    assert m.source == str(bomb) and "file too large" in m.reason
    assert peak < 3 * cap  # never the 64 MiB


def test_decompress_multi_member_truncated_and_garbage() -> None:
    two = gzip.compress(b"ab") + gzip.compress(b"cd")
    assert decompress(two) == gzip.decompress(two) == b"abcd"
    with pytest.raises(EOFError):
        decompress(gzip.compress(b"x" * 1000)[:-12])
    with pytest.raises(OSError):
        decompress(gzip.compress(b"x") + b"junk")
    with pytest.raises(TooLarge):
        decompress(b"x" * 11, max_bytes=10)
    assert decompress(gzip.compress(b"x" * 10), max_bytes=10) == b"x" * 10


def test_cli_replay_reports_an_oversize_file(tmp_path: Path, mamori: Callable[..., Run]) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(orjson.dumps({"Records": [stop_logging(f"t{i}") for i in range(3000)]}))
    assert big.stat().st_size > 1024 * 1024
    small = _file(tmp_path, [stop_logging("s")], "small.json")
    r = mamori("events", "replay", str(big), str(small), "--no-store", "--max-file-mib", "1", "-o", "json")
    assert r.code == 2
    out = json.loads(r.out)
    assert out["summary"]["events"] == 1
    assert [m["source"] for m in out["malformed"]] == [str(big)] and "file too large" in out["malformed"][0][
        "reason"
    ]


def test_oversized_identifiers_fit_the_store_or_are_reported(store: Store, tmp_path: Path, detections: DetectionSet) -> None:
    ident = role_session()
    ident["accessKeyId"] = "ASIA" + "X" * 300
    odd = stop_logging("odd", ident=ident, awsRegion="r" * 100, recipientAccountId="9" * 100)
    bad_id = stop_logging("bad-id", eventID="e" * 200)
    f = _file(tmp_path, [odd, bad_id, stop_logging("fine")])
    rep, _ = _replay([f], detections, store)
    assert len(rep.outcomes) == 2
    [m] = rep.stats.malformed
    assert m.where == "record 1" and "eventID is not an id" in m.reason
    assert {x.resource_id for x in store.findings(FindingFilter(rules=("cloudtrail_stop_logging",)))} == {"odd", "fine"}
