"""Every detection against its table of cases; the registry's shape; the loader's errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from mamori.catalog import standards
from mamori.events import DetectionSet, Matcher, load_detections
from mamori.events.errors import DetectionError
from mamori.events.responders import RESPONDERS

from .helpers import BASE_TIME, record

CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load((Path(__file__).parent / "cases" / "detections.yaml").read_text())
PARAMS = [pytest.param(did, c, id=f"{did}:{c['name']}") for did, cs in CASES.items() for c in cs]


def _fire(detections: DetectionSet, did: str, case: dict[str, Any]) -> list[Any]:
    m = Matcher(detections)
    hits = []
    for i in range(int(case.get("repeat", 1))):
        rec = record(BASE_TIME + timedelta(seconds=int(case.get("spacing", 20)) * i), **case["record"])
        hits.extend(x for x in m.match(rec) if x.detection.id == did)
    return hits


@pytest.mark.parametrize(("did", "case"), PARAMS)
def test_case(detections: DetectionSet, did: str, case: dict[str, Any]) -> None:
    hits = _fire(detections, did, case)
    assert bool(hits) == (case["expect"] == "match"), hits


def test_every_detection_has_a_matching_and_a_non_matching_case(detections: DetectionSet) -> None:
    assert len(detections) >= 15
    for d in detections:
        expects = {c["expect"] for c in CASES.get(d.id, [])}
        assert expects == {"match", "no-match"}, f"{d.id}: cases {sorted(expects)}"
    assert set(CASES) <= {d.id for d in detections}


def test_registry_metadata(detections: DetectionSet) -> None:
    baseline = standards()["baseline"].controls()
    for d in detections:
        assert d.path.stem == d.id
        assert all(b in baseline for b in d.spec.baseline)
        assert d.spec.mitre and all(t.startswith("T") for t in d.spec.mitre)
        for ref in d.spec.respond:
            assert ref.responder in RESPONDERS
        assert d.keys


def test_index_routes_events_only_to_candidate_detections(detections: DetectionSet) -> None:
    ids = {d.id for d in detections.candidates("cloudtrail.amazonaws.com", "StopLogging")}
    assert "cloudtrail_stop_logging" in ids and "s3_bucket_policy_public" not in ids
    # only the wildcard detections (with a cheap prefilter) see an ordinary read
    assert {d.id for d in detections.candidates("ec2.amazonaws.com", "DescribeInstances")} == {"root_activity", "access_denied_burst"}


def test_duplicate_event_ids_count_once_in_a_threshold_window(detections: DetectionSet) -> None:
    m = Matcher(detections)
    rec = record(eventSource="iam.amazonaws.com", eventName="ListRoles", errorCode="AccessDenied")
    assert not any(m.match(dict(rec)) for _ in range(30))


def test_threshold_fires_once_per_burst_and_window_slides(detections: DetectionSet) -> None:
    m = Matcher(detections)
    fired = []
    for i in range(45):  # 45 denied calls, 5 s apart: bursts of 20 fire twice
        rec = record(BASE_TIME + timedelta(seconds=5 * i), eventSource="iam.amazonaws.com", eventName="ListRoles", errorCode="AccessDenied")
        fired += [x for x in m.match(rec) if x.detection.id == "access_denied_burst"]
    assert len(fired) == 2 and len(fired[0].event_ids) == 20
    m2 = Matcher(detections)
    slow = []
    for i in range(40):  # one a minute: never 20 within 5 minutes
        rec = record(BASE_TIME + timedelta(minutes=i), eventSource="iam.amazonaws.com", eventName="ListRoles", errorCode="AccessDenied")
        slow += [x for x in m2.match(rec) if x.detection.id == "access_denied_burst"]
    assert slow == []


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / f"{name}.yaml"
    p.write_text(text)
    return tmp


GOOD = """
id: {id}
title: Something happened here
severity: low
mitre: [T1562.008]
baseline: ["3.1"]
rationale: because it matters a lot
remediation: do the right thing now
events: [{{source: cloudtrail.amazonaws.com, names: [StopLogging]}}]
respond: [{{responder: notify}}]
"""


def test_user_detection_directory_is_loaded(tmp_path: Path) -> None:
    ds = load_detections([_write(tmp_path, "my_stop", GOOD.format(id="my_stop"))], builtin=False)
    assert [d.id for d in ds] == ["my_stop"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (GOOD.format(id="other_name"), "differs from the file name"),
        (GOOD.format(id="x").replace('["3.1"]', '["9.9"]'), "baseline has no item"),
        (GOOD.format(id="x").replace("responder: notify", "responder: launch_missiles"), "unknown responder"),
        (GOOD.format(id="x").replace("T1562.008", "T15"), "MITRE"),
        (GOOD.format(id="x") + "when: {path: a, bogus: 1}\n", "unknown operator"),
        ("id: [unclosed", "malformed YAML"),
    ],
)
def test_bad_detection_files_name_the_file_and_place(tmp_path: Path, text: str, fragment: str) -> None:
    _write(tmp_path, "x", text)
    with pytest.raises(DetectionError) as err:
        load_detections([tmp_path], builtin=False)
    assert fragment in str(err.value) and "x.yaml" in str(err.value)
