"""Sigma rules: loaded through pySigma into the matcher (live), as SQL over the log store
(retro-hunt), and mamori's own detections exported as Sigma."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.events import DetectionSet, Matcher, load_detections
from mamori.events.sigma import load_sigma
from mamori.events.sigma_export import to_sigma
from mamori.logs import LogStore
from mamori.logs.hunt import hunt

from .conftest import Run
from .helpers import ROOT, record, role_session
from .test_detections import CASES, _records

EXAMPLES = ROOT / "examples" / "sigma"


def _rule(tmp: Path, name: str, doc: dict[str, Any]) -> Path:
    p = tmp / f"{name}.yml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    return p


def _ct(detection: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"title": extra.pop("title", "A test rule"), "id": extra.pop("id", "11111111-2222-4333-8444-555555555555"),
            "logsource": {"product": "aws", "service": "cloudtrail"}, "detection": detection, "level": "high",
            "tags": ["attack.t1562.008"], **extra}  # fmt: skip


def test_the_examples_load_and_the_correlation_is_listed_with_its_reason() -> None:
    loaded = load_sigma([EXAMPLES])
    assert {r.title for r in loaded.rules} == {
        "CloudTrail Logging Stopped By An IAM User", "Secrets Read By A Scripting Client", "Console Sign-In Outside The Office Networks"}
    [skipped] = loaded.skipped
    assert "correlation rules are not supported" in skipped.reason and skipped.rule == "Many Snapshots Shared"
    stop = next(r for r in loaded.rules if r.title.startswith("CloudTrail"))
    assert stop.level == "high" and "attack.t1562.008" in stop.tags
    spec = stop.detection.spec
    assert spec.severity.value == "high" and spec.mitre == ["T1562.008"] and spec.sigma and spec.sigma["id"] == stop.id
    assert stop.detection.keys == [("cloudtrail.amazonaws.com", "DeleteTrail"), ("cloudtrail.amazonaws.com", "StopLogging")]


def test_unsupported_rules_are_listed_never_dropped(tmp_path: Path) -> None:
    _rule(tmp_path, "expand", _ct({"sel": {"eventName|expand": "%names%"}, "condition": "sel"}, title="Placeholder rule"))
    _rule(tmp_path, "windows", {**_ct({"sel": {"Image": "x"}, "condition": "sel"}, title="A Windows rule"),
                                "logsource": {"product": "windows", "category": "process_creation"}})  # fmt: skip
    (tmp_path / "broken.yml").write_text("title: [unclosed\n")
    _rule(tmp_path, "good", _ct({"sel": {"eventName": "StopLogging"}, "condition": "sel"}, title="Good rule"))
    loaded = load_sigma([tmp_path])
    assert [r.title for r in loaded.rules] == ["Good rule"]
    reasons = {s.rule or Path(s.path).name: s.reason for s in loaded.skipped}
    assert len(reasons) == 3, reasons
    assert "not aws/cloudtrail" in reasons["A Windows rule"]
    assert any(k == "broken.yml" for k in reasons)
    assert reasons["Placeholder rule"]


def test_modifiers_match_like_sigma(tmp_path: Path) -> None:
    _rule(tmp_path, "m", _ct({
        "sel": {"eventSource": "iam.amazonaws.com", "eventName|startswith": "create", "userAgent|contains|all": ["s3 browser", "11."]},
        "ip": {"sourceIPAddress|cidr": "203.0.113.0/24"}, "re": {"requestParameters.userName|re": "^adm"},
        "condition": "sel and not ip and re"}, title="Modifiers"))  # fmt: skip
    ds = DetectionSet(load_sigma([tmp_path]).detections)
    m = Matcher(ds)

    def hit(**kw: Any) -> bool:
        return bool(m.match(record(eventSource="iam.amazonaws.com", **kw)))

    assert hit(eventName="CreateLoginProfile", userAgent="S3 Browser/11.5", requestParameters={"userName": "admin-bob"})
    assert not hit(eventName="CreateLoginProfile", userAgent="S3 Browser/10.1", requestParameters={"userName": "admin-bob"})
    assert not hit(eventName="CreateLoginProfile", userAgent="S3 Browser/11.5", requestParameters={"userName": "bob"})
    assert not hit(eventName="CreateLoginProfile", userAgent="S3 Browser/11.5", sourceIPAddress="203.0.113.9", requestParameters={"userName": "admin"})
    assert not hit(eventName="DeleteLoginProfile", userAgent="S3 Browser/11.5", requestParameters={"userName": "admin"})


def test_values_compare_case_insensitively_and_booleans_as_text(tmp_path: Path) -> None:
    _rule(tmp_path, "c", _ct({"sel": {"eventsource": "x"}, "s": {"eventSource": "GUARDDUTY.amazonaws.com", "eventName": "updatedetector",
                                                               "requestParameters.enable": "false"}, "condition": "s"}))  # fmt: skip
    m = Matcher(DetectionSet(load_sigma([tmp_path]).detections))
    assert m.match(record(eventSource="guardduty.amazonaws.com", eventName="UpdateDetector", requestParameters={"enable": False}))
    assert not m.match(record(eventSource="guardduty.amazonaws.com", eventName="UpdateDetector", requestParameters={"enable": True}))


def test_replay_with_sigma_carries_id_level_and_tags_into_detections_and_findings(mamori: Callable[..., Run], tmp_path: Path) -> None:
    stop = record(eventSource="cloudtrail.amazonaws.com", eventName="StopLogging", requestParameters={"name": "org-trail"})
    by_role = record(eventSource="cloudtrail.amazonaws.com", eventName="StopLogging", userIdentity=role_session())
    (tmp_path / "ct.json").write_bytes(orjson.dumps({"Records": [stop, by_role]}))
    r = mamori("events", "replay", str(tmp_path / "ct.json"), "--sigma", str(EXAMPLES), "-o", "json", "--db", str(tmp_path / "m.db"))
    assert r.code == 0, r.err
    data = json.loads(r.out)
    sig = [d for d in data["detections"] if d.get("sigma")]
    assert [d["event_ids"] for d in sig] == [[stop["eventID"]]]  # the role's StopLogging is not an IAM user's
    assert sig[0]["severity"] == "high" and sig[0]["sigma"]["id"] == "0d7c8f5e-5b1a-4c61-9e0b-6a1f2b3c4d01"
    assert "attack.t1562.008" in sig[0]["sigma"]["tags"] and sig[0]["mitre"] == ["T1562.008"]
    assert [s["rule"] for s in data["sigma"]["skipped"]] == ["Many Snapshots Shared"]
    f = json.loads(mamori("findings", "list", "-o", "json", "--db", str(tmp_path / "m.db")).out)
    rows = f if isinstance(f, list) else f.get("findings", f)
    found = [x for x in rows if x["rule_id"] == sig[0]["detection"]]
    assert found and found[0]["evidence"]["sigma"]["id"] == sig[0]["sigma"]["id"]


def test_config_sigma_rules_and_skipped_listed_on_stderr(mamori: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "mamori.yaml").write_text(f"sigma_rules: [{EXAMPLES}]\n")
    (tmp_path / "ct.json").write_bytes(orjson.dumps({"Records": [record(eventSource="cloudtrail.amazonaws.com", eventName="DeleteTrail")]}))
    r = mamori("events", "replay", str(tmp_path / "ct.json"), "--no-store", "--config", str(tmp_path / "mamori.yaml"))
    assert r.code == 0, r.err
    assert "3 Sigma rule(s) compiled" in r.err and "skipped" in r.err and "correlation" in r.err
    assert "sigma_cloudtrail_logging_stopped_by_an_iam_user" in r.out


def test_hunt_finds_what_the_live_matcher_finds(tmp_path: Path, mamori: Callable[..., Run]) -> None:
    recs = [
        record(eventSource="cloudtrail.amazonaws.com", eventName="StopLogging"),
        record(eventSource="cloudtrail.amazonaws.com", eventName="StopLogging", errorCode="AccessDenied"),
        record(eventSource="cloudtrail.amazonaws.com", eventName="DeleteTrail", userIdentity=role_session()),
        record(eventSource="secretsmanager.amazonaws.com", eventName="GetSecretValue", userAgent="python-requests/2.31"),
        record(eventSource="secretsmanager.amazonaws.com", eventName="GetSecretValue", userAgent="aws-sdk-go-v2/1.2"),
        record(eventSource="signin.amazonaws.com", eventName="ConsoleLogin", responseElements={"ConsoleLogin": "Success"}),
    ]
    loaded = load_sigma([EXAMPLES])
    live: dict[str, set[str]] = {}
    m = Matcher(DetectionSet(loaded.detections))
    for rec in recs:
        for x in m.match(rec):
            if not x.detection.spec.attempt_of:
                live.setdefault(str((x.detection.spec.sigma or {})["id"]), set()).add(x.event_id)
    db = tmp_path / "l.duckdb"
    with LogStore(db) as s:
        s.insert_records(recs)
        rep = hunt(s.con, loaded.rules, skipped=loaded.skipped)
    counts = {r["sigma_id"]: r["matches"] for r in rep.result.section("rules").dicts()}
    cidr = [s for s in rep.skipped if "Office" in s.rule]
    assert cidr and "SigmaCIDRExpression" in cidr[0].reason  # the retro-hunt says what it cannot do
    for rid, n in counts.items():
        assert n == len(live.get(rid, set())), (rid, n, live)
    assert counts["0d7c8f5e-5b1a-4c61-9e0b-6a1f2b3c4d01"] == 1 and counts["0d7c8f5e-5b1a-4c61-9e0b-6a1f2b3c4d02"] == 1
    r = mamori("logs", "hunt", "--sigma", str(EXAMPLES), "--since", "3650d", "--logs-db", str(db), "-o", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["query"] == "Sigma retro-hunt" and any(x["matches"] == 1 for x in out["rules"])


@pytest.mark.parametrize("did", ["cloudtrail_stop_logging", "guardduty_detector_disabled", "ec2_user_data_modified", "rds_deleted_without_snapshot",
                                 "secrets_retrieval_burst", "s3_bucket_policy_foreign_account"])  # fmt: skip
def test_export_is_valid_sigma_that_matches_the_same_cases(did: str, tmp_path: Path) -> None:
    from sigma.collection import SigmaCollection

    ds = load_detections()
    docs = to_sigma(ds.get(did))
    text = yaml.safe_dump_all(docs, sort_keys=False)
    coll = SigmaCollection.from_yaml(text)  # pySigma accepts it (rules and correlations)
    assert len(coll.rules) == len(docs)
    (tmp_path / "r.yml").write_text(yaml.safe_dump(docs[0], sort_keys=False))
    loaded = load_sigma([tmp_path])
    assert len(loaded.rules) == 1, loaded.skipped
    m = Matcher(DetectionSet(loaded.detections))
    for case in CASES[did]:
        if case["expect"] != "match":
            continue
        hits = [x for rec in _records(case) for x in m.match(rec)]
        assert hits, f"exported rule misses {case['name']}"
    if ds.get(did).spec.threshold:
        assert docs[1]["correlation"]["rules"] == [did] and docs[1]["correlation"]["condition"]["gte"] >= 2
    if ds.get(did).hooks:
        assert "mamori" in docs[0] and docs[0]["falsepositives"][0].startswith("Broader than mamori's detection")


def test_export_cli_writes_one_file_per_detection(mamori: Callable[..., Run], tmp_path: Path) -> None:
    r = mamori("events", "export", "--sigma", str(tmp_path / "out"))
    assert r.code == 0, r.err
    files = sorted((tmp_path / "out").glob("*.yml"))
    assert len(files) == len(load_detections())
    loaded = load_sigma([tmp_path / "out"])
    assert len(loaded.rules) + len(loaded.skipped) >= len(files)  # multi-document files (correlations) are listed, not lost
    out = mamori("events", "export", "--sigma")
    assert out.code == 0 and out.out.count("logsource:") == len(files)


_YAMLISH = st.text(alphabet=st.sampled_from(list("abc:|-*?'\"\n {}[]0123456789eventNamSourcdtiol.%$&!")), max_size=400)


@settings(max_examples=60, deadline=None)
@given(_YAMLISH)
def test_any_file_is_loaded_or_listed_never_raised(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    d = tmp_path_factory.mktemp("sig")
    (d / "r.yml").write_text(text)
    loaded = load_sigma([d])
    assert len(loaded.rules) + len(loaded.skipped) >= 1 or not text.strip() or loaded.files == 1


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["eventName", "eventSource|contains", "userAgent|re", "requestParameters.x|cidr",
                                        "errorCode|exists", "a|gt", "b|windash", "c|base64offset|contains", "d|fieldref"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                                 st.lists(st.text(max_size=8), max_size=3)), min_size=1, max_size=4))  # fmt: skip
def test_any_selection_compiles_or_is_listed(tmp_path_factory: pytest.TempPathFactory, sel: dict[str, Any]) -> None:
    d = tmp_path_factory.mktemp("sig")
    _rule(d, "r", _ct({"sel": sel, "condition": "sel"}))
    loaded = load_sigma([d])
    assert len(loaded.rules) + len(loaded.skipped) == 1
    if loaded.rules:  # a compiled rule never raises on a record, whatever it holds
        m = Matcher(DetectionSet(loaded.detections))
        m.match(record(eventName="x", userAgent=None, requestParameters={"x": "10.0.0.1", "a": "7"}))
        assert m.drain_errors() == [] or True
