"""AWS Backup collector: vaults and per-Region plans; the vault key rule reads the KMS inventory."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials
from mamori.demo.seeds.backup import seed_backup
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select(["backup_plan_missing", "backup_vault_not_encrypted_with_cmk"])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_backup(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session, services: tuple[str, ...] = ("backup", "kms")) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=services)


def statuses(inv: Inventory) -> dict[tuple[str, str, str], str]:
    return {(r.rule_id, r.region, r.resource_id): r.status.value for r in evaluate(inv, RULES).results}


def test_vaults_plans_and_rules(session: boto3.Session) -> None:
    res = scan(session)
    inv = res.inventory
    assert not inv.errors
    vault = inv.get("aws.backup.vault", PROD, TOKYO, "acme-prod-vault")
    assert vault is not None and dict(vault.tags) == {"owner": "platform"}
    assert vault.properties["encryption_key_arn"].startswith(f"arn:aws:kms:{TOKYO}:{PROD}:key/")
    assert vault.properties["service_managed"] is False and vault.properties["locked"] is False
    tokyo = inv.get("aws.backup.region", PROD, TOKYO, TOKYO)
    assert tokyo is not None and tokyo.properties["backup_plan_count"] == 1
    assert tokyo.properties["backup_plans"][0]["name"] == "acme-daily-35d"
    assert statuses(inv) == {
        ("backup_plan_missing", TOKYO, TOKYO): "PASS",
        ("backup_plan_missing", VIRGINIA, VIRGINIA): "FAIL",
        ("backup_vault_not_encrypted_with_cmk", TOKYO, "acme-prod-vault"): "PASS",  # the key is in the KMS inventory
        ("backup_vault_not_encrypted_with_cmk", VIRGINIA, "Default"): "FAIL",
    }
    calls = res.calls.calls
    assert calls["backup.ListBackupVaults"] == calls["backup.ListBackupPlans"] == len(DEMO_REGIONS)
    assert calls["backup.ListTags"] == 2  # one per vault


def test_without_the_kms_inventory_the_key_is_unknown(session: boto3.Session) -> None:
    inv = scan(session, services=("backup",)).inventory
    got = statuses(inv)
    assert got[("backup_vault_not_encrypted_with_cmk", TOKYO, "acme-prod-vault")] == "UNKNOWN"
    assert got[("backup_vault_not_encrypted_with_cmk", VIRGINIA, "Default")] == "FAIL"  # no key at all


def test_a_key_kms_does_not_list_as_customer_managed_is_aws_managed(session: boto3.Session) -> None:
    kms = session.client("kms", region_name="eu-west-1")
    aws_key = kms.create_key(Description="stands in for aws/backup")["KeyMetadata"]
    kms.create_alias(AliasName="alias/aws/backup", TargetKeyId=aws_key["KeyId"])
    session.client("backup", region_name="eu-west-1").create_backup_vault(BackupVaultName="eu-vault", EncryptionKeyArn=aws_key["Arn"])
    inv = collect(session, regions=("eu-west-1",), services=["backup", "kms"]).inventory
    assert statuses(inv)[("backup_vault_not_encrypted_with_cmk", "eu-west-1", "eu-vault")] == "FAIL"


def test_denied_plans_blind_only_the_region_resource(session: boto3.Session) -> None:
    deny(session, "backup", "ListBackupPlans", regions=[VIRGINIA])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == (VIRGINIA, False, ("aws.backup.region",))
    got = statuses(inv)
    assert got[("backup_plan_missing", VIRGINIA, "*")] == "UNKNOWN" and got[("backup_plan_missing", TOKYO, TOKYO)] == "PASS"
    assert got[("backup_vault_not_encrypted_with_cmk", VIRGINIA, "Default")] == "FAIL"


def test_denied_vaults_and_failing_tags(session: boto3.Session) -> None:
    deny(session, "backup", "ListBackupVaults", regions=[TOKYO])
    deny(session, "backup", "ListTags")
    inv = scan(session).inventory
    scope = [e for e in inv.errors if not e.partial]
    assert [(e.region, e.resource_types) for e in scope] == [(TOKYO, ("aws.backup.vault",))]
    assert [e.resource_id for e in inv.errors if e.partial] == ["Default"]
    got = statuses(inv)
    assert got[("backup_vault_not_encrypted_with_cmk", TOKYO, "*")] == "UNKNOWN"
    assert got[("backup_vault_not_encrypted_with_cmk", VIRGINIA, "Default")] == "FAIL"
