"""The replay's fast reading paths give exactly what the full parse gives (issue 20).

* :func:`split_records` (msgspec finds each record's text, orjson parses it) is used only
  when it yields what ``orjson.loads(file)["Records"]`` yields; on any other file (another
  key, an element orjson refuses, bad skeleton) the whole-file orjson path decides, so the
  records, their places and the malformed reports are the same;
* :func:`decompress` through ISA-L gives zlib's bytes, and zlib's error (same message) on
  anything ISA-L refuses.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.events.reader import (
    DEFAULT_MAX_BYTES,
    Malformed,
    ReadStats,
    TooLarge,
    _gunzip,
    _whole,
    decompress,
    iter_raw,
    split_records,
)

from .helpers import stop_logging
from .test_reader_properties import JSON, TEXT

HOSTILE = [
    b"\xef\xbb\xbf", b"\xff", b"\x00", b"\x01", b"1e400", b"-1e400", b"123456789012345678901234567890", b'"\\ud800"',
    b'"\\udc00\\ud800"', b"NaN", b"Infinity", b"01", b"1.", b".5", b"+1", b"-", b",", b"]", b"[", b"{", b"}", b":", b'"',
    b'"a"', b"null", b" ", b"\n", b"\t", b"\r", b"\x0b", b'{"a":1,"a":2}', b'"Records"', b'{"Records":[]}', b"\\",
    b"[" * 1030 + b"]" * 1030, b'{"a":' * 1030 + b"1" + b"}" * 1030, b"[" * 1000 + b"]" * 1000, "é".encode(), b"\xc3",
]  # fmt: skip
"""Bytes where two JSON parsers are most likely to disagree: inserted anywhere in a good file."""


def _file(records: list[Any], indent: int | None) -> bytes:
    return json.dumps({"Records": records}, indent=indent).encode()


def _classic(text: bytes) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """The reader before the fast paths: zlib, then orjson over the whole file."""
    stats = ReadStats()
    try:
        plain = _zlib_only(text, DEFAULT_MAX_BYTES)()
    except (OSError, EOFError, zlib.error) as exc:
        stats.bad(Malformed("f", "", f"cannot decompress: {exc}"))
        return [], stats.to_dict()
    got = list(_whole(plain, "f", stats)) if plain.strip() else []
    return got, stats.to_dict()


def _fast(text: bytes) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    stats = ReadStats()
    got = [(w, r) for w, r, _ in iter_raw(text, "f", stats)]
    return got, stats.to_dict()


RECORDS = st.lists(st.builds(lambda r, extra: {**r, **extra}, st.just(stop_logging("x")), st.dictionaries(TEXT, JSON, max_size=3)) | JSON,
                   max_size=5)  # fmt: skip


@given(records=RECORDS, indent=st.sampled_from([None, 0, 2]))
def test_split_records_are_what_orjson_reads_and_each_text_parses_to_its_record(
    records: list[Any], indent: int | None
) -> None:
    text = _file(records, indent)
    raws = split_records(text)
    assert raws is not None
    assert [orjson.loads(r) for r in raws] == orjson.loads(text)["Records"]
    assert _fast(text) == _classic(text)


@given(
    records=RECORDS,
    at=st.integers(0, 10_000),
    junk=st.sampled_from(HOSTILE) | st.binary(max_size=8),
    extra_key=st.booleans(),
)
def test_a_hostile_file_reads_the_same_through_the_fast_path(
    records: list[Any], at: int, junk: bytes, extra_key: bool
) -> None:
    good = _file(records, None)
    if extra_key:
        good = good[:-1] + b', "other": ' + junk + b"}"
    text = good[: at % (len(good) + 1)] + junk + good[at % (len(good) + 1) :]
    raws = split_records(text)
    if raws is not None:  # only when orjson reads the same records from the whole file
        assert orjson.loads(text) == {"Records": [orjson.loads(r) for r in raws]}
    assert _fast(text) == _classic(text)


@pytest.mark.parametrize("junk", HOSTILE)
def test_every_hostile_snippet_as_a_record_reads_the_same(junk: bytes) -> None:
    text = b'{"Records": [' + json.dumps(stop_logging("a")).encode() + b", " + junk + b"]}"
    assert _fast(text) == _classic(text)


def test_the_fast_path_is_taken_for_a_cloudtrail_file_and_not_for_other_shapes() -> None:
    rec = stop_logging("a")
    assert split_records(_file([rec, rec], 2)) is not None
    assert split_records(json.dumps([rec]).encode()) is None  # a bare array
    assert split_records(json.dumps({"Records": [rec], "x": 1}).encode()) is None  # another key
    assert split_records(json.dumps(rec).encode() + b"\n" + json.dumps(rec).encode()) is None  # JSON lines
    assert (
        split_records(b'{"Records": [' + b'{"a":' * 1100 + b"1" + b"}" * 1100 + b"]}") is None
    )  # too deep for orjson
    stats = ReadStats()
    got = list(iter_raw(_file([rec, {"eventID": 1}], None), "f", stats))
    assert [(w, r, orjson.loads(t) if t is not None else None) for w, r, t in got] == [("record 0", rec, rec)]
    assert [m.where for m in stats.malformed] == ["record 1"]


def test_an_eventbridge_event_inside_records_is_sent_as_its_record_not_as_the_event() -> None:
    rec = stop_logging("a")
    event = {"detail-type": "AWS API Call via CloudTrail", "source": "aws.cloudtrail", "detail": rec}
    got = list(iter_raw(_file([event, rec], None), "f", ReadStats()))
    assert [(w, r) for w, r, _ in got] == [("record 0", rec), ("record 1", rec)]
    assert got[0][2] is None  # the event's text would parse to the event: the parallel reader re-encodes the record
    assert got[1][2] is not None and orjson.loads(got[1][2]) == rec


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "ok", bytes(fn())
    except TooLarge as exc:
        return "too large", str(exc)
    except (OSError, EOFError, zlib.error) as exc:
        return type(exc).__name__, str(exc)


def _gz(data: bytes, named: bool) -> bytes:
    """A gzip member, with a file name in its header (as the gzip tool writes) or without (as AWS and Python do)."""
    if not named:
        return gzip.compress(data)
    buf = io.BytesIO()
    with gzip.GzipFile("CloudTrail.json", "wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def _zlib_only(data: bytes, cap: int) -> Any:
    if data[:2] != b"\x1f\x8b":
        return lambda: decompress(data, cap)
    return lambda: _gunzip(data, cap, zlib.decompressobj)


@given(
    parts=st.lists(st.binary(max_size=3000), min_size=1, max_size=3), cut=st.integers(0, 20_000), flip=st.integers(0, 20_000),
    tail=st.sampled_from([b"", b"\x00\x00", b"x", b"\x1f\x8b"]), cap=st.sampled_from([10, 2_000, DEFAULT_MAX_BYTES]),
    damage=st.sampled_from(["none", "truncate", "flip"]), named=st.booleans(),
)  # fmt: skip
def test_isal_gunzip_gives_zlibs_bytes_and_zlibs_errors(
    parts: list[bytes], cut: int, flip: int, tail: bytes, cap: int, damage: str, named: bool
) -> None:
    data = b"".join(_gz(p, named) for p in parts) + tail
    if damage == "truncate":
        data = data[: cut % (len(data) + 1)]
    elif damage == "flip":
        i = flip % len(data)
        data = data[:i] + bytes([data[i] ^ 0x41]) + data[i + 1 :]
    assert _outcome(lambda: decompress(data, cap)) == _outcome(_zlib_only(data, cap))
