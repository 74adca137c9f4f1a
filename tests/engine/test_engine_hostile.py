"""Rules and snapshots on hostile input (issue 12, items 4, 6 and 9)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mamori.collect.snapshot import read_snapshot, write_snapshot
from mamori.engine import evaluate
from mamori.errors import RuleError, SnapshotError
from mamori.model import Inventory, Resource, ResultStatus
from mamori.rules import load_rules

from .test_engine import KEY_RULE, VOLUME_RULE, vol

RULE_BOMB = "id: r\ntitle: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def _rules(tmp_path: Path, **files: str) -> Any:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    for name, text in files.items():
        (d / f"{name}.yaml").write_text(text)
    return load_rules([d], builtin=False)


def test_rule_file_alias_bomb_is_a_rule_error_quickly(tmp_path: Path) -> None:
    """The reproduction: a 965-byte rule file took > 60 s and 1.1 GB."""
    assert len(RULE_BOMB) < 1000
    start = time.monotonic()
    with pytest.raises(RuleError, match="alias bomb"):
        _rules(tmp_path, r=RULE_BOMB)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id: r\ntitle: " + "[" * 500 + "]" * 500 + "\n", "nested deeper"),
        ("id: r\ntitle: a\x00b\n", "NUL"),
        ("id: r\nexpires: 2026-02-30\n", "timestamp"),
        ("id: r\nid: s\n", "duplicate key"),
    ],
)
def test_hostile_rule_yaml_is_a_rule_error(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(RuleError, match=words):
        _rules(tmp_path, r=text)


def test_a_rule_that_raises_on_one_resource_is_unknown_for_it_and_the_scan_goes_on(tmp_path: Path) -> None:
    rules = _rules(tmp_path, test_volume_unencrypted=VOLUME_RULE)
    rule = next(iter(rules.by_type()["aws.ec2.volume"]))
    original = rule.fail_when

    def brittle(res: Resource, ctx: Any, ev: dict[str, Any]) -> Any:
        if res.id == "v-bad":
            raise AttributeError("'str' object has no attribute 'get'")
        return original(res, ctx, ev)

    object.__setattr__(rule, "fail_when", brittle)  # the rule object may be frozen
    inv = Inventory([vol("v-bad", encrypted=False, state="in-use"), vol("v-ok", encrypted=False, state="in-use")],
                    collected_at=datetime(2026, 11, 23, tzinfo=UTC))  # fmt: skip
    ev = evaluate(inv, rules)
    by_id = {r.resource_id: r for r in ev.results}
    assert by_id["v-bad"].status is ResultStatus.UNKNOWN
    assert by_id["v-bad"].reason == "rule error: AttributeError: 'str' object has no attribute 'get'"
    assert by_id["v-ok"].status is ResultStatus.FAIL


def test_naive_collected_at_is_read_as_utc(tmp_path: Path) -> None:
    """A naive collected_at aborted the whole scan (naive minus aware); it now means UTC."""
    rules = _rules(tmp_path, test_key_old=KEY_RULE)
    key = Resource("aws", "111122223333", "global", "aws.iam.access_key", "AKIA1",
                   properties={"created": (datetime(2026, 11, 23, tzinfo=UTC) - timedelta(days=200)).isoformat()})  # fmt: skip
    p = tmp_path / "snap.json"
    write_snapshot(Inventory([key], collected_at=datetime(2026, 11, 23, tzinfo=UTC)), p)
    doc = json.loads(p.read_text())
    doc["collected_at"] = "2026-11-23T00:00:00"
    p.write_text(json.dumps(doc))
    inv = read_snapshot(p)
    assert inv.collected_at == datetime(2026, 11, 23, tzinfo=UTC)
    assert [r.status for r in evaluate(inv, rules).results] == [ResultStatus.FAIL]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b'{"format": "mamori.snapshot/1", "x": ' + b"[" * 500 + b"]" * 500 + b"}", "nested deeper"),
        (b'{"format": "mamori.snapshot/1", "collected_at": "2026-01-01T00:00:00\\u0000"}', "NUL"),
        (b'{"format": "mamori.snapshot/1", "x": NaN}', "JSON"),
        (b'{"format": \xff}', "UTF-8"),
    ],
)
def test_hostile_snapshot_is_a_snapshot_error(tmp_path: Path, raw: bytes, words: str) -> None:
    p = tmp_path / "s.json"
    p.write_bytes(raw)
    with pytest.raises(SnapshotError, match=words):
        read_snapshot(p)


def test_rule_case_file_is_read_bounded(tmp_path: Path) -> None:
    """`mamori rules test --cases FILE` reads a user's file: the same bounds as rule files."""
    from mamori.engine.testing import load_case_file
    from mamori.errors import InputError

    bomb = tmp_path / "cases.yaml"
    bomb.write_text(RULE_BOMB.replace("id: r\ntitle:", "cases:"))
    with pytest.raises(InputError, match="alias bomb"):
        load_case_file(bomb)
    dup = tmp_path / "dup.yaml"
    dup.write_text("cases:\n  - {expect: PASS, resource: {}}\ncases: []\n")
    with pytest.raises(InputError, match="duplicate key"):
        load_case_file(dup)
