"""Snapshots round-trip exactly, and bad ones are refused with file and place."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.collect.snapshot import read_snapshot, write_snapshot
from mamori.errors import SnapshotError
from mamori.model import Inventory, Resource, ScanError


def test_round_trip(tmp_path: Path) -> None:
    inv = Inventory(
        [Resource("aws", "1", "us-east-1", "aws.ec2.volume", "v-1", "arn:x", "data", {"Team": "sre"}, {"encrypted": False, "n": [1, {"a": None}]})],
        errors=[ScanError("1", "eu-west-1", "ec2", "DescribeVolumes", "AccessDenied", "no", ("aws.ec2.volume",)),
                ScanError("1", "us-east-1", "ec2", "DescribeVolumeAttribute", "Throttling", "", ("aws.ec2.volume",), "v-1")],
        collected_at=datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip
    inv.cover("1", "us-east-1", ["aws.ec2.volume"])
    p = tmp_path / "s.json"
    write_snapshot(inv, p)
    back = read_snapshot(p)
    assert list(back) == list(inv)
    assert back.errors == inv.errors and back.coverage == inv.coverage
    assert back.collected_at == inv.collected_at
    assert back.is_clean("1", "us-east-1", "aws.ec2.volume") and not back.is_clean("1", "eu-west-1", "aws.ec2.volume")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{\n  \"format\": 1,\n", "s.json:3:"),
        ('{"format": "other"}', "s.json:format"),
        ('{"format": "mamori.snapshot/1"}', "s.json:collected_at"),
        ('{"format": "mamori.snapshot/1", "collected_at": "2026-11-01T00:00:00+00:00", "coverage": [["a"]]}', "coverage[0]"),
    ],
)
def test_bad_snapshots(tmp_path: Path, text: str, where: str) -> None:
    p = tmp_path / "s.json"
    p.write_text(text)
    with pytest.raises(SnapshotError) as exc:
        read_snapshot(p)
    assert where in str(exc.value)


def _one(tmp_path: Path, rtype: str, props: dict[str, object]) -> Path:
    inv = Inventory([Resource("aws", "1", "us-east-1", rtype, "q-1", properties=props)], collected_at=datetime(2026, 11, 1, tzinfo=UTC))
    p = tmp_path / "s.json"
    write_snapshot(inv, p)
    return p


def test_properties_the_model_does_not_know_are_kept_not_refused(tmp_path: Path) -> None:
    """A snapshot from another version may hold properties this model lacks: read and written back unchanged."""
    p = _one(tmp_path, "aws.sqs.queue", {"encrypted": True, "retired_property": {"x": [1]}})
    before = json.loads(p.read_bytes())["resources"]
    back = read_snapshot(p)
    assert dict(next(iter(back)).properties) == {"encrypted": True, "retired_property": {"x": [1]}}
    write_snapshot(back, p)
    assert json.loads(p.read_bytes())["resources"] == before
    read_snapshot(_one(tmp_path, "aws.future.thing", {"anything": 1}))  # a type without a model is not checked


def test_a_known_property_of_the_wrong_type_is_refused_naming_the_resource(tmp_path: Path) -> None:
    p = _one(tmp_path, "aws.s3.bucket", {"public_access_block": {"block_public_acls": "yes"}})
    with pytest.raises(SnapshotError, match=r"resources\[0\]: aws\.s3\.bucket q-1: property public_access_block\.block_public_acls"):
        read_snapshot(p)
