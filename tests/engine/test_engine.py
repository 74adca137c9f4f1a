"""The engine: PASS/FAIL/UNKNOWN per (rule, resource), scope errors, evidence, scores, stable ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.engine import evaluate
from mamori.errors import RuleError
from mamori.model import Inventory, Resource, ResultStatus, ScanError, finding_id
from mamori.rules import load_rules
from mamori.standards.score import ALL, score

NOW = datetime(2026, 11, 23, tzinfo=UTC)

VOLUME_RULE = """
id: test_volume_unencrypted
title: Volumes are encrypted
severity: high
resource_type: aws.ec2.volume
rationale: Unencrypted volumes expose data to anyone with a snapshot.
remediation: Copy to an encrypted snapshot and restore.
controls: {baseline: ["4.1"], cis-aws-3.0: ["2.2.1"]}
applies_when: {path: state, ne: deleting}
fail_when: {path: encrypted, eq: false}
"""

KEY_RULE = """
id: test_key_old
title: Access keys are rotated
severity: low
resource_type: aws.iam.access_key
rationale: Old keys are more likely to have leaked somewhere.
remediation: Rotate the key.
params: {max_age_days: 90}
controls: {baseline: ["1.8"]}
fail_when: {path: created, older_than_days: $max_age_days}
"""


@pytest.fixture
def rules(tmp_path: Path):  # type: ignore[no-untyped-def]
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test_volume_unencrypted.yaml").write_text(VOLUME_RULE)
    (d / "test_key_old.yaml").write_text(KEY_RULE)
    return load_rules([d], builtin=False)


def vol(i: str, region: str = "us-east-1", **props: object) -> Resource:
    return Resource("aws", "111122223333", region, "aws.ec2.volume", i, properties=props)


def test_pass_fail_unknown_and_not_applicable(rules) -> None:  # type: ignore[no-untyped-def]
    inv = Inventory(
        [
            vol("v-enc", encrypted=True, state="in-use"),
            vol("v-plain", encrypted=False, state="in-use"),
            vol("v-unknown", encrypted=None, state="in-use"),
            vol("v-going", encrypted=False, state="deleting"),
        ],
        collected_at=NOW,
    )
    ev = evaluate(inv, rules)
    by = {r.resource_id: r for r in ev.results if r.rule_id == "test_volume_unencrypted"}
    assert by["v-enc"].status is ResultStatus.PASS
    assert by["v-plain"].status is ResultStatus.FAIL
    assert by["v-plain"].evidence == {"encrypted": False}
    assert by["v-unknown"].status is ResultStatus.UNKNOWN
    assert "encrypted" in by["v-unknown"].reason
    assert "v-going" not in by


def test_scope_error_gives_unknown_never_pass(rules) -> None:  # type: ignore[no-untyped-def]
    inv = Inventory([vol("v-1", "us-east-1", encrypted=True, state="in-use")], collected_at=NOW)
    inv.add_error(ScanError("111122223333", "eu-west-1", "ec2", "DescribeVolumes", "AccessDenied", "denied", ("aws.ec2.volume",)))
    ev = evaluate(inv, rules)
    unknown = [r for r in ev.results if r.status is ResultStatus.UNKNOWN]
    assert [(r.region, r.resource_id) for r in unknown] == [("eu-west-1", "*")]
    assert "AccessDenied" in unknown[0].reason


def test_partial_error_does_not_taint_scope(rules) -> None:  # type: ignore[no-untyped-def]
    inv = Inventory([vol("v-1", encrypted=None, state="in-use")], collected_at=NOW)
    inv.cover("111122223333", "us-east-1", ["aws.ec2.volume"])
    inv.add_error(ScanError("111122223333", "us-east-1", "ec2", "DescribeVolumeAttribute", "Throttling", "", ("aws.ec2.volume",), "v-1"))
    assert inv.is_clean("111122223333", "us-east-1", "aws.ec2.volume")
    assert not [r for r in evaluate(inv, rules).results if r.resource_id == "*"]


def test_ages_are_measured_from_collection_time(rules) -> None:  # type: ignore[no-untyped-def]
    key = Resource("aws", "1", "global", "aws.iam.access_key", "AKIA1", properties={"created": "2026-08-01T00:00:00+00:00"})
    inv = Inventory([key], collected_at=datetime(2026, 9, 1, tzinfo=UTC))
    assert evaluate(inv, rules).results[0].status is ResultStatus.PASS
    inv.collected_at = NOW
    assert evaluate(inv, rules).results[0].status is ResultStatus.FAIL
    assert evaluate(inv, rules, params={"test_key_old": {"max_age_days": 200}}).results[0].status is ResultStatus.PASS


def test_finding_ids_are_stable_and_distinct() -> None:
    a = finding_id("r", "1", "us-east-1", "aws.ec2.volume", "v-1")
    assert a == finding_id("r", "1", "us-east-1", "aws.ec2.volume", "v-1")
    assert a != finding_id("r", "1", "eu-west-1", "aws.ec2.volume", "v-1")
    assert a != finding_id("r2", "1", "us-east-1", "aws.ec2.volume", "v-1")


def test_score_weights_by_severity_and_keeps_unknown_apart(rules) -> None:  # type: ignore[no-untyped-def]
    inv = Inventory(
        [
            vol("a", encrypted=True, state="in-use"),
            vol("b", encrypted=False, state="in-use"),
            vol("c", encrypted=None, state="in-use"),
            Resource("aws", "111122223333", "global", "aws.iam.access_key", "K", properties={"created": "2026-11-01T00:00:00+00:00"}),
        ],
        collected_at=NOW,
    )
    rows = {(r.standard, r.account, r.category): r for r in score(evaluate(inv, rules).results, rules)}
    overall = rows[("baseline", ALL, ALL)]
    # high pass (5) + low pass (1) of high fail (5): 6 / 11
    assert (overall.passed, overall.failed, overall.unknown) == (2, 1, 1)
    assert overall.score == pytest.approx(54.5)
    assert rows[("baseline", ALL, "4")].score == 50.0
    assert rows[("baseline", ALL, "1")].score == 100.0
    assert rows[("cis-aws-3.0", ALL, "2")].score == 50.0


def test_bad_rule_files_name_file_and_place(tmp_path: Path) -> None:
    d = tmp_path / "r"
    d.mkdir()
    (d / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    with pytest.raises(RuleError) as exc:
        load_rules([d], builtin=False)
    assert re.search(r"broken\.yaml:3:1: malformed YAML", str(exc.value))
    (d / "broken.yaml").write_text(VOLUME_RULE.replace("severity: high", "severity: extreme").replace("test_volume_unencrypted", "broken"))
    with pytest.raises(RuleError, match=r"broken.yaml:severity"):
        load_rules([d], builtin=False)
    (d / "broken.yaml").write_text(VOLUME_RULE.replace('cis-aws-3.0: ["2.2.1"]', 'cis-aws-3.0: ["9.9"]').replace("test_volume_unencrypted", "broken"))
    with pytest.raises(RuleError, match=r"has no control '9\.9'"):
        load_rules([d], builtin=False)
    (d / "broken.yaml").write_text(VOLUME_RULE)
    with pytest.raises(RuleError, match="differs from the file name"):
        load_rules([d], builtin=False)


def test_inventory_find_indexes_by_id_across_accounts_and_regions() -> None:
    a = Resource("aws", "1", "us-east-1", "aws.s3.bucket", "logs")
    b = Resource("aws", "2", "eu-west-1", "aws.s3.bucket", "logs")
    inv = Inventory([a], collected_at=NOW)
    assert inv.find("aws.s3.bucket", "logs") == [a]
    inv.add(b)  # the index is rebuilt after a change
    assert inv.find("aws.s3.bucket", "logs") == [a, b]
    assert inv.find("aws.s3.bucket", "nope") == [] and inv.find("aws.ec2.volume", "logs") == []
