"""Property tests of the CloudTrail reader, the matcher and the evidence scrubber (issue 12).

"Any bytes / any JSON -> records plus counted errors, never an exception other than the
project's own." Bounded by the ``default`` hypothesis profile (tests/conftest.py) so the
default run stays fast; ``HYPOTHESIS_PROFILE=fuzz`` runs thousands of cases (docs/hostile-input.md).
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mamori.events import DetectionSet, Matcher, load_detections
from mamori.events.processor import Processor
from mamori.events.reader import ReadStats, iter_located, split_array
from mamori.events.redact import redacted
from mamori.events.run import process_one
from mamori.events.scrub import MAX_DEPTH, scrub

from .helpers import stop_logging

TEXT = st.text(max_size=40) | st.sampled_from(["\x00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30T00:00:00Z",
                                               "*", "AKIAZ7QLMX3RC2VTNWHB", "Bearer abc.def.ghi", '{"Statement": "x"}'])  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | TEXT
JSON = st.recursive(SCALARS, lambda c: st.lists(c, max_size=4) | st.dictionaries(TEXT, c, max_size=4), max_leaves=20)
NAMES = [("cloudtrail.amazonaws.com", "StopLogging"), ("s3.amazonaws.com", "PutBucketPolicy"),
         ("iam.amazonaws.com", "PutUserPolicy"), ("iam.amazonaws.com", "AttachRolePolicy"),
         ("signin.amazonaws.com", "ConsoleLogin"), ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
         ("iam.amazonaws.com", "CreateAccessKey")]  # fmt: skip
_DETECTIONS: DetectionSet = load_detections()


def _nested(n: int) -> Any:
    v: Any = 1
    for _ in range(n):
        v = {"a": v}
    return v


def _check(stats: ReadStats, got: list[tuple[str, dict[str, Any]]]) -> None:
    assert stats.records == len(got)
    assert all(isinstance(r, dict) and isinstance(w, str) for w, r in got)
    assert stats.malformed_count >= len(stats.malformed)


@given(data=st.binary(max_size=300), gz=st.booleans())
def test_any_bytes_give_records_and_counted_errors(data: bytes, gz: bool) -> None:
    stats = ReadStats()
    got = list(iter_located(gzip.compress(data) if gz else data, "f", stats, max_bytes=10_000))
    _check(stats, got)


@given(doc=JSON, wrap=st.sampled_from(["records", "list", "bare", "lines"]))
def test_any_json_gives_records_and_counted_errors(doc: Any, wrap: str) -> None:
    body = {"records": {"Records": doc}, "list": [doc], "bare": doc, "lines": doc}[wrap]
    data = json.dumps(body).encode()
    if wrap == "lines":
        data = data + b"\n" + data
    stats = ReadStats()
    _check(stats, list(iter_located(data, "f", stats)))


@given(items=st.lists(JSON, max_size=6), deep_at=st.integers(0, 6))
def test_a_too_deep_element_costs_only_itself(items: list[Any], deep_at: int) -> None:
    texts = [json.dumps(i).encode() for i in items]
    texts.insert(min(deep_at, len(texts)), b'{"a":' * 1100 + b"1" + b"}" * 1100)
    data = b'{"Records": [' + b",".join(texts) + b"]}"
    spans = split_array(data)
    assert spans is not None and len(spans) == len(texts)
    assert [data[a:b].strip() for a, b in spans] == texts
    stats = ReadStats()
    got = list(iter_located(data, "f", stats))
    _check(stats, got)
    assert stats.records + stats.malformed_count == len(texts)


RECORD_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "eventTime": TEXT | SCALARS, "userIdentity": JSON, "requestParameters": JSON | st.integers(0, 400).map(_nested),
        "responseElements": JSON, "errorCode": TEXT | SCALARS, "awsRegion": JSON, "recipientAccountId": JSON,
        "eventID": st.text(min_size=1, max_size=200),
    },
)  # fmt: skip


@given(name=st.sampled_from(NAMES), fields=RECORD_FIELDS)
def test_any_record_through_every_detection_never_raises(name: tuple[str, str], fields: dict[str, Any]) -> None:
    rec = stop_logging("t")
    rec["eventSource"], rec["eventName"] = name
    rec.update(fields)
    data = json.dumps({"Records": [rec]}).encode()  # json: any depth orjson can read back
    stats = ReadStats()
    proc = Processor(Matcher(_DETECTIONS), allow_act=False)
    for where, r in iter_located(data, "f", stats):
        for out in process_one(proc, r, "f", where, stats):
            json.dumps(out.match.evidence)  # storable: bounded, no NUL
            assert "\x00" not in json.dumps(out.match.evidence) and "\x00" not in out.match.resource
    assert stats.record_errors == 0


@given(value=JSON | st.integers(0, 300).map(_nested))
def test_scrub_and_redact_any_value(value: Any) -> None:
    out = scrub({"v": value})
    text = json.dumps(out)
    assert "\\u0000" not in text
    depth, stack = 0, [(out, 0)]
    while stack:
        item, d = stack.pop()
        depth = max(depth, d)
        if isinstance(item, dict):
            stack += [(v, d + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, d + 1) for v in item]
    assert depth <= MAX_DEPTH + 1
    assert redacted(out) == redacted(redacted(out))  # redacting twice changes nothing more
