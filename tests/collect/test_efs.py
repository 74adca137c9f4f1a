"""EFS collector: file systems with their backup policy, access points, call counts, failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials
from mamori.demo.seeds.efs import seed_efs
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("efs_")])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_efs(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["efs"])


def named(inv: Inventory, rtype: str, name: str) -> Resource:
    [found] = [r for r in inv.of_type(rtype) if r.name == name]
    return found


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    names = {r.id: r.name for r in inv}
    return {(r.rule_id, names.get(r.resource_id, r.resource_id)): r.status.value for r in evaluate(inv, RULES).results}


def test_file_systems_and_access_points(session: boto3.Session) -> None:
    res = scan(session)
    inv = res.inventory
    assert not inv.errors
    fs = named(inv, "aws.efs.file_system", "acme-shared-uploads")
    assert fs.region == TOKYO and fs.tags["owner"] == "billing" and fs.arn.endswith(f":file-system/{fs.id}")
    p = fs.properties
    assert (p["encrypted"], p["backup_policy_status"], p["automatic_backups"], p["lifecycle_state"]) == (True, "ENABLED", True, "available")
    billing = named(inv, "aws.efs.access_point", "billing-api").properties
    assert billing["file_system_id"] == fs.id and billing["root_directory_path"] == "/billing-api"
    assert billing["root_directory_enforced"] is True and billing["posix_user"] == {"uid": 1001, "gid": 1001, "secondary_gids": []}
    legacy = named(inv, "aws.efs.access_point", "batch-legacy").properties
    assert (legacy["root_directory_path"], legacy["root_directory_enforced"], legacy["posix_user_enforced"]) == ("/", False, False)
    got = statuses(inv)
    for rule in ("efs_file_system_unencrypted", "efs_file_system_backup_off"):
        assert got[(rule, "acme-shared-uploads")] == "PASS"
    for rule in ("efs_access_point_root_directory_not_enforced", "efs_access_point_user_identity_not_enforced"):
        assert (got[(rule, "billing-api")], got[(rule, "batch-legacy")]) == ("PASS", "FAIL")
    calls = res.calls.calls
    assert calls["efs.DescribeFileSystems"] == calls["efs.DescribeAccessPoints"] == len(DEMO_REGIONS)
    assert calls["efs.DescribeBackupPolicy"] == 1  # one file system in prod


def test_never_configured_backups_are_a_fact_not_an_error(session: boto3.Session) -> None:
    inv = collect(assume(session, DEV_ACCOUNT, None), regions=DEMO_REGIONS, services=["efs"]).inventory
    assert not inv.errors
    dev = named(inv, "aws.efs.file_system", "dev-scratch")
    assert dev.region == VIRGINIA and dev.account == DEV_ACCOUNT
    assert (dev.properties["encrypted"], dev.properties["backup_policy_status"], dev.properties["automatic_backups"]) == (False, "DISABLED", False)
    got = statuses(inv)
    assert got[("efs_file_system_unencrypted", "dev-scratch")] == got[("efs_file_system_backup_off", "dev-scratch")] == "FAIL"


def test_failing_backup_policy_is_partial_and_unknown(session: boto3.Session) -> None:
    deny(session, "efs", "DescribeBackupPolicy")
    inv = scan(session).inventory
    [err] = inv.errors
    fs = named(inv, "aws.efs.file_system", "acme-shared-uploads")
    assert err.partial and err.resource_id == fs.id and err.operation == "DescribeBackupPolicy"
    assert fs.properties["automatic_backups"] is None and fs.properties["encrypted"] is True
    got = statuses(inv)
    assert got[("efs_file_system_backup_off", "acme-shared-uploads")] == "UNKNOWN"
    assert got[("efs_file_system_unencrypted", "acme-shared-uploads")] == "PASS"


def test_denied_access_points_blind_only_access_points_in_that_region(session: boto3.Session) -> None:
    deny(session, "efs", "DescribeAccessPoints", regions=[TOKYO])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.operation, err.partial, err.resource_types) == (TOKYO, "DescribeAccessPoints", False, ("aws.efs.access_point",))
    assert not inv.is_clean(PROD, TOKYO, "aws.efs.access_point") and inv.is_clean(PROD, TOKYO, "aws.efs.file_system")
    assert inv.is_clean(PROD, VIRGINIA, "aws.efs.access_point")
    assert named(inv, "aws.efs.file_system", "acme-shared-uploads")
    results = [r for r in evaluate(inv, RULES).results if r.resource_type == "aws.efs.access_point"]
    assert results and {r.status.value for r in results} == {"UNKNOWN"}


def test_denied_file_systems_are_unknown_never_pass(session: boto3.Session) -> None:
    deny(session, "efs", "DescribeFileSystems")
    inv = scan(session).inventory
    assert {(e.region, e.resource_types) for e in inv.errors} == {(r, ("aws.efs.file_system",)) for r in DEMO_REGIONS}
    fs_results = [r for r in evaluate(inv, RULES).results if r.resource_type == "aws.efs.file_system"]
    assert fs_results and {r.status.value for r in fs_results} == {"UNKNOWN"}
    assert named(inv, "aws.efs.access_point", "billing-api")
