"""EC2 snapshots and AMIs owned by the account: collection, the per-snapshot permission call, failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials
from mamori.demo.seeds.ec2 import seed_ec2
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select(["ec2_ebs_snapshot_public", "ec2_ebs_snapshot_unencrypted", "ec2_ami_public", "ec2_instance_no_iam_profile"])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_ec2(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["ec2"])


def named(inv: Inventory, rtype: str, name: str) -> Resource:
    [found] = [r for r in inv.of_type(rtype) if r.name == name]
    return found


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    names = {r.id: r.name for r in inv}
    return {(r.rule_id, names.get(r.resource_id, r.resource_id)): r.status.value for r in evaluate(inv, RULES).results}


def test_snapshots_images_and_rules(session: boto3.Session) -> None:
    res = scan(session)
    inv = res.inventory
    assert not inv.errors
    nightly = named(inv, "aws.ec2.snapshot", "billing-data-nightly")
    assert nightly.region == TOKYO and nightly.tags["team"] == "billing" and nightly.arn == f"arn:aws:ec2:{TOKYO}::snapshot/{nightly.id}"
    assert (nightly.properties["encrypted"], nightly.properties["public"], nightly.properties["shared_with_accounts"]) == (True, False, None)
    legacy = named(inv, "aws.ec2.snapshot", "legacy-scratch-2019")
    assert legacy.region == VIRGINIA and (legacy.properties["encrypted"], legacy.properties["public"]) == (False, True)
    assert legacy.properties["shared_with_accounts"] == []
    assert all(s.account == PROD for s in inv.of_type("aws.ec2.snapshot"))  # nobody else's (the emulator's AMI snapshots)
    golden, tools = named(inv, "aws.ec2.image", "acme-billing-api-2025-06"), named(inv, "aws.ec2.image", "acme-legacy-tools-2019")
    assert (golden.region, golden.properties["public"], tools.properties["public"]) == (TOKYO, False, True)
    assert golden.arn == f"arn:aws:ec2:{TOKYO}::image/{golden.id}" and golden.properties["snapshot_ids"]
    got = statuses(inv)
    assert (got[("ec2_ebs_snapshot_public", "billing-data-nightly")], got[("ec2_ebs_snapshot_public", "legacy-scratch-2019")]) == ("PASS", "FAIL")
    assert got[("ec2_ebs_snapshot_unencrypted", "billing-data-nightly")] == "PASS"
    assert got[("ec2_ebs_snapshot_unencrypted", "legacy-scratch-2019")] == "FAIL"
    assert (got[("ec2_ami_public", "acme-billing-api-2025-06")], got[("ec2_ami_public", "acme-legacy-tools-2019")]) == ("PASS", "FAIL")
    assert (got[("ec2_instance_no_iam_profile", "billing-api")], got[("ec2_instance_no_iam_profile", "bastion")]) == ("PASS", "FAIL")
    unencrypted = [s for s in inv.of_type("aws.ec2.snapshot") if not s.properties["encrypted"]]
    assert res.calls.calls["ec2.DescribeSnapshotAttribute"] == len(unencrypted) < len(inv.of_type("aws.ec2.snapshot"))


def test_failing_permission_read_is_partial_and_unknown(session: boto3.Session) -> None:
    deny(session, "ec2", "DescribeSnapshotAttribute", code="UnauthorizedOperation")
    inv = scan(session).inventory
    assert inv.errors and all(e.partial and e.operation == "DescribeSnapshotAttribute" for e in inv.errors)
    got = statuses(inv)
    assert got[("ec2_ebs_snapshot_public", "legacy-scratch-2019")] == "UNKNOWN"
    assert got[("ec2_ebs_snapshot_public", "billing-data-nightly")] == "PASS"  # encrypted: known not public without the call


def test_denied_images_blind_only_images(session: boto3.Session) -> None:
    deny(session, "ec2", "DescribeImages", regions=[VIRGINIA])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == (VIRGINIA, False, ("aws.ec2.image",))
    got = statuses(inv)
    assert got[("ec2_ami_public", "*")] == "UNKNOWN" and got[("ec2_ami_public", "acme-billing-api-2025-06")] == "PASS"
    assert got[("ec2_ebs_snapshot_public", "legacy-scratch-2019")] == "FAIL"


def test_denied_snapshots_blind_only_snapshots(session: boto3.Session) -> None:
    deny(session, "ec2", "DescribeSnapshots", regions=[TOKYO])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.resource_types) == (TOKYO, ("aws.ec2.snapshot",))
    assert not inv.is_clean(PROD, TOKYO, "aws.ec2.snapshot") and inv.is_clean(PROD, TOKYO, "aws.ec2.image")
    assert statuses(inv)[("ec2_ebs_snapshot_unencrypted", "*")] == "UNKNOWN"
