"""Reading every shape AWS delivers; malformed input reported with its place; principals."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson

from mamori.events.reader import ReadStats, iter_records, read_paths
from mamori.events.record import PrincipalType, principal_of

from .helpers import record, role_session, user


def _read(data: bytes, name: str = "f.json") -> tuple[list[str], ReadStats]:
    stats = ReadStats()
    return [r["eventID"] for r in iter_records(data, name, stats)], stats


def test_archive_file_gzip_and_plain() -> None:
    recs = [record(), record()]
    doc = orjson.dumps({"Records": recs})
    assert _read(gzip.compress(doc))[0] == [r["eventID"] for r in recs]
    assert _read(doc)[0] == [r["eventID"] for r in recs]


def test_eventbridge_single_array_and_json_lines() -> None:
    recs = [record(), record(), record()]
    ev = [{"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam", "detail": r} for r in recs]
    assert _read(orjson.dumps(ev[0]))[0] == [recs[0]["eventID"]]
    assert _read(orjson.dumps(ev))[0] == [r["eventID"] for r in recs]
    lines = b"\n".join(orjson.dumps(e) for e in ev) + b"\n"
    assert _read(lines)[0] == [r["eventID"] for r in recs]
    signin = dict(ev[0], **{"detail-type": "AWS Console Sign In via CloudTrail"})
    assert len(_read(orjson.dumps(signin))[0]) == 1


def test_malformed_parts_are_reported_with_their_place_and_the_rest_is_read() -> None:
    good, bad = record(), {"eventName": "X"}
    ids, stats = _read(orjson.dumps({"Records": [good, bad, 7, record()]}), "a.json")
    assert len(ids) == 2
    assert [(m.where, m.reason.split(" ")[0]) for m in stats.malformed] == [("record 1", "missing"), ("record 2", "expected")]
    assert str(stats.malformed[0]).startswith("a.json:record 1: missing eventID")

    lines = orjson.dumps(record()) + b"\n{not json\n" + orjson.dumps({"detail-type": "Scheduled Event", "detail": {}}) + b"\n" + orjson.dumps(record())
    ids, stats = _read(lines, "b.jsonl")
    assert len(ids) == 2 and stats.malformed_count == 2
    assert stats.malformed[0].where == "line 2" and "invalid JSON" in stats.malformed[0].reason
    assert stats.malformed[1].where == "line 3" and "not a CloudTrail event" in stats.malformed[1].reason

    _, stats = _read(b'{"Records": [ {"eventID": "a",', "c.json")
    assert stats.malformed_count == 1 and "invalid JSON" in stats.malformed[0].reason and "line 1" in stats.malformed[0].reason
    _, stats = _read(b"\x1f\x8b\x08garbage", "d.json.gz")
    assert "cannot decompress" in stats.malformed[0].reason
    _, stats = _read(orjson.dumps({"Records": {"a": 1}}), "e.json")
    assert stats.malformed[0].reason == "'Records' is not a list"


def test_read_paths_walks_directories_and_skips_digests(tmp_path: Path) -> None:
    d = tmp_path / "AWSLogs" / "1" / "CloudTrail" / "us-east-1" / "2026" / "03" / "02"
    d.mkdir(parents=True)
    (d / "a.json.gz").write_bytes(gzip.compress(orjson.dumps({"Records": [record()]})))
    dig = tmp_path / "AWSLogs" / "1" / "CloudTrail-Digest" / "x.json.gz"
    dig.parent.mkdir(parents=True)
    dig.write_bytes(gzip.compress(b'{"digestStartTime": "x"}'))
    (tmp_path / "notes.md").write_text("hello")
    stats = ReadStats()
    assert len(list(read_paths([tmp_path], stats))) == 1 and stats.files == 1 and stats.malformed_count == 0


def test_principal_normalisation() -> None:
    p = principal_of({"userIdentity": role_session("ops", "sess-9")})
    assert (p.arn, p.type, p.name, p.session_name) == ("arn:aws:iam::123456789012:role/ops", PrincipalType.ROLE, "ops", "sess-9")
    # no sessionIssuer: derived from the assumed-role ARN (paths kept)
    p = principal_of({"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/ops/s1", "accountId": "111122223333"}})
    assert p.arn == "arn:aws:iam::111122223333:role/ops"
    assert principal_of({"userIdentity": user("bob")}).arn == "arn:aws:iam::123456789012:user/bob"
    root = principal_of({"userIdentity": {"type": "Root", "accountId": "111122223333"}})
    assert (root.arn, root.type) == ("arn:aws:iam::111122223333:root", PrincipalType.ROOT)
    assert principal_of({"userIdentity": {"type": "AWSService", "invokedBy": "config.amazonaws.com"}}).arn == "service:config.amazonaws.com"
    saml = principal_of({"userIdentity": {"type": "SAMLUser", "principalId": "x", "userName": "jo", "identityProvider": "idp"}})
    assert saml.arn == "SAMLUser:idp:jo" and saml.type is PrincipalType.SAML_USER
    assert principal_of({}).type is PrincipalType.UNKNOWN
