"""Importers on hostile input: wrong shapes give InputError at the first offending path, never a traceback."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.cli.main import main
from mamori.errors import InputError
from mamori.hub.importers import read_bytes, read_file

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FORMATS = {
    "securityhub_asff.json": "asff",
    "inspector2_findings.json": "inspector",
    "guardduty_findings.json": "guardduty",
    "trivy.sarif": "sarif",
    "semgrep.sarif": "sarif",
    "prowler_ocsf.json": "ocsf",
}
DOCS = {name: json.loads((SAMPLES / name).read_text()) for name in FORMATS}


def _asff(**change: Any) -> dict[str, Any]:
    f = copy.deepcopy(DOCS["securityhub_asff.json"]["Findings"][0])
    f.update(change)
    return {"Findings": [f]}


def _sarif_result(**change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOCS["trivy.sarif"])
    doc["runs"][0]["results"][0].update(change)
    return doc


def _ocsf(**change: Any) -> list[Any]:
    doc = copy.deepcopy(DOCS["prowler_ocsf.json"])
    doc[0].update(change)
    return list(doc)


def _read(tmp_path: Path, raw: bytes, fmt: str | None = None) -> InputError:
    p = tmp_path / "hostile.json"
    p.write_bytes(raw)
    with pytest.raises(InputError) as exc:
        read_file(p, fmt)
    assert exc.value.source == str(p)
    return exc.value


# Each reproduction from issue 12 item 5: (document bytes, the path named, words of the message)
REPRODUCTIONS = {
    "asff_resources_empty": (orjson.dumps(_asff(Resources=[])), "Findings[0].Resources", "empty array"),
    "asff_workflow_string": (orjson.dumps(_asff(Workflow="NEW")), "Findings[0].Workflow", "expected object"),
    "asff_created_at_1e20": (orjson.dumps(_asff(CreatedAt=1e20)), "Findings[0].CreatedAt", "out of range"),
    "asff_nan": (
        orjson.dumps(_asff()).replace(b'"Normalized":70', b'"Normalized":NaN'),
        "1:",
        "invalid JSON",
    ),
    "asff_100k_deep": (b'{"Findings": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "1:", "depth limit"),
    "sarif_locations_object": (
        orjson.dumps(_sarif_result(locations={"physicalLocation": {}})),
        "runs[0].results[0].locations",
        "expected array",
    ),
    "sarif_fingerprints_list": (
        orjson.dumps(_sarif_result(fingerprints=["a", "b"])),
        "runs[0].results[0].fingerprints",
        "expected object",
    ),
    "ocsf_severity_id_list": (orjson.dumps(_ocsf(severity_id=[1])), "[0].severity_id", "expected int"),
}


@pytest.mark.parametrize("name", sorted(REPRODUCTIONS))
def test_issue12_reproductions_name_the_path(tmp_path: Path, name: str) -> None:
    raw, where, words = REPRODUCTIONS[name]
    e = _read(tmp_path, raw)
    assert e.where is not None and e.where.startswith(where) and words in e.message, str(e)


def test_the_cli_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(orjson.dumps(_asff(Resources=[])))
    with pytest.raises(SystemExit) as exc:
        main(["findings", "import", str(p), "--db", f"sqlite:///{tmp_path / 'm.db'}"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert f"{p}:Findings[0].Resources: expected at least one item" in err


@pytest.mark.parametrize(
    ("doc", "fmt", "where"),
    [
        (_asff(Title="a\u0000b"), None, "Findings[0].Title"),  # NUL: PostgreSQL cannot store it
        (_asff(Severity={"Normalized": True}), None, "Findings[0].Severity"),
        (_asff(Compliance="PASSED"), None, "Findings[0].Compliance"),
        (_asff(UpdatedAt="0001-01-01T00:00:00+09:00"), None, "Findings[0].UpdatedAt"),
        (_asff(Resources=["arn:aws:s3:::b"]), None, "Findings[0].Resources[0]"),
        (_asff(Types="Software and Configuration Checks"), None, "Findings[0].Types"),
        (_sarif_result(locations=[1]), None, "runs[0].results[0].locations[0]"),
        (_sarif_result(level=["error"]), None, "runs[0].results[0].level"),
        (_ocsf(resources="arn:aws:s3:::b"), None, "[0].resources"),
        (_ocsf(metadata=[]), None, "[0].metadata"),
        ({"findings": [{**DOCS["inspector2_findings.json"]["findings"][0], "resources": []}]}, None, "findings[0].resources"),
        ({"findings": [{**DOCS["inspector2_findings.json"]["findings"][0], "packageVulnerabilityDetails": "x"}]}, None, "findings[0].packageVulnerabilityDetails"),
        ({"Findings": [{**DOCS["guardduty_findings.json"]["Findings"][0], "Service": []}]}, "guardduty", "Findings[0].Service"),
        ({"Findings": [{**DOCS["guardduty_findings.json"]["Findings"][0], "Severity": float("inf")}]}, "guardduty", "1:"),
    ],
)  # fmt: skip
def test_other_wrong_shapes(tmp_path: Path, doc: Any, fmt: str | None, where: str) -> None:
    raw = json.dumps(doc).encode()  # stdlib: writes inf/NaN as the hostile files do
    e = _read(tmp_path, raw, fmt)
    assert e.where is not None and e.where.startswith(where), str(e)


def test_go_zero_time_means_unset(tmp_path: Path) -> None:
    p = tmp_path / "go.json"
    p.write_bytes(orjson.dumps(_asff(CreatedAt="0001-01-01T00:00:00Z", FirstObservedAt="0001-01-01T00:00:00Z")))
    [item] = read_file(p).items
    assert item.finding.first_seen == datetime.fromisoformat(DOCS["securityhub_asff.json"]["Findings"][0]["UpdatedAt"])


def _paths(doc: Any) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        v, p = stack.pop()
        out.append(p)
        if isinstance(v, dict):
            stack.extend((c, (*p, k)) for k, c in v.items())
        elif isinstance(v, list):
            stack.extend((c, (*p, i)) for i, c in enumerate(v))
    return sorted(out, key=repr)


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["", "NEW", "FAIL", "PASS", "2026-02-30", "arn:aws:s3:::b", "1e20", "HIGH"]),
    st.sampled_from([1e20, -1, 0, 2**64 - 1, 1.5e12, -1e300]),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8
)
MUTATIONS = st.lists(st.tuples(st.integers(min_value=0), st.booleans(), VALUES), min_size=1, max_size=4)


def _mutate(doc: Any, mutations: list[tuple[int, bool, Any]]) -> Any:
    doc = copy.deepcopy(doc)
    for index, delete, value in mutations:
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return value
        *parent_path, last = paths[index % len(paths)]
        parent = doc
        for k in parent_path:
            parent = parent[k]
        if delete and isinstance(parent, dict):
            del parent[last]
        else:
            parent[last] = value
    return doc


@pytest.mark.parametrize("name", sorted(FORMATS))
@given(mutations=MUTATIONS, forced=st.booleans())
def test_mutated_samples_give_findings_or_input_error(name: str, mutations: list[tuple[int, bool, Any]], forced: bool) -> None:
    raw = orjson.dumps(_mutate(DOCS[name], mutations))
    try:
        _, items, _ = read_bytes(raw, "f.json", FORMATS[name] if forced else None, now=NOW)
    except InputError as exc:
        assert exc.source == "f.json"
        return
    for i in items:
        assert isinstance(i.finding.id, str) and isinstance(i.finding.rule_id, str) and isinstance(i.finding.resource_id, str)
        assert i.finding.first_seen.tzinfo is not None
        orjson.dumps(i.finding.to_dict())  # storable


@pytest.mark.parametrize("fmt", sorted(set(FORMATS.values())))
@given(raw=st.binary(max_size=200) | VALUES.map(orjson.dumps))
def test_arbitrary_documents_give_findings_or_input_error(fmt: str, raw: bytes) -> None:
    for f in (fmt, None):
        try:
            read_bytes(raw, "f.json", f, now=NOW)
        except InputError as exc:
            assert exc.source == "f.json"
