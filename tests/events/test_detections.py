"""Every detection against its table of cases; the registry's shape; the loader's errors."""

from __future__ import annotations

import copy
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

CASES: dict[str, list[dict[str, Any]]] = {}
for _f in sorted((Path(__file__).parent / "cases").glob("detections*.yaml")):
    for _k, _v in yaml.safe_load(_f.read_text()).items():
        CASES.setdefault(_k, []).extend(_v)
PARAMS = [pytest.param(did, c, id=f"{did}:{c['name']}") for did, cs in CASES.items() for c in cs]


def _vary(rec: dict[str, Any], path: str, i: int) -> None:
    """Give the value at ``path`` a distinct suffix per repetition (a list: each element)."""
    *parents, last = path.split(".")
    cur = rec
    for p in parents:
        cur = cur[p]
    v = cur[last]
    cur[last] = [f"{x}-{i}" for x in v] if isinstance(v, list) else f"{v}-{i}"


def _records(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of a case: ``record`` repeated (``repeat``, ``vary``), one per ``names``, or a ``sequence``."""
    spacing = int(case.get("spacing", 20))
    if "sequence" in case:
        return [record(BASE_TIME + timedelta(seconds=spacing * i), **r) for i, r in enumerate(case["sequence"])]
    if "names" in case:
        return [record(BASE_TIME + timedelta(seconds=spacing * i), **{**case["record"], "eventName": n}) for i, n in enumerate(case["names"])]
    out = []
    for i in range(int(case.get("repeat", 1))):
        rec = record(BASE_TIME + timedelta(seconds=spacing * i), **copy.deepcopy(case["record"]))
        if case.get("vary"):
            _vary(rec, case["vary"], i)
        out.append(rec)
    return out


def _fire(detections: DetectionSet, did: str, case: dict[str, Any]) -> list[Any]:
    m = Matcher(detections, {did: case["params"]} if "params" in case else None)
    hits = []
    for rec in _records(case):
        hits.extend(x for x in m.match(rec) if x.detection.id in (did, did + "_attempt"))
    return hits


@pytest.mark.parametrize(("did", "case"), PARAMS)
def test_case(detections: DetectionSet, did: str, case: dict[str, Any]) -> None:
    """``match``: the detection itself; ``attempt``: only its attempt twin (a failed call), low or informational."""
    hits = _fire(detections, did, case)
    if case["expect"] == "attempt":
        assert hits and all(h.detection.id == did + "_attempt" and h.detection.spec.severity.value in ("low", "informational") for h in hits)
        assert all(h.detection.spec.title.startswith("Attempt: ") for h in hits)
        return
    assert bool(hits) == (case["expect"] == "match"), hits
    assert all(h.detection.id == did for h in hits), hits


def test_every_detection_has_a_matching_and_a_non_matching_case(detections: DetectionSet) -> None:
    assert len(detections) >= 15
    for d in detections:
        expects = {c["expect"] for c in CASES.get(d.id, [])} - {"attempt"}
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
    # only the wildcard detections (each with a cheap prefilter on the raw record) and the
    # reconnaissance burst (which counts distinct APIs) see an ordinary read
    assert {d.id for d in detections.candidates("ec2.amazonaws.com", "DescribeInstances")} == {
        "root_activity", "access_denied_burst", "discovery_denied_burst", "attack_tool_user_agent",
        "ec2_instance_credentials_used_elsewhere", "discovery_burst",
    }  # fmt: skip
    for d in detections.candidates("ec2.amazonaws.com", "DescribeInstances"):
        assert d.prefilter or d.prefilter_re or d.id == "discovery_burst", d.id


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
