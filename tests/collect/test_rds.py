"""RDS collector: DB instances from one paginated call per Region."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(
    ["rds_instance_public", "rds_instance_storage_unencrypted", "rds_instance_auto_minor_upgrade_off", "rds_instance_iam_auth_off"]
)


def db(session: boto3.Session, region: str, name: str, **kw: Any) -> None:
    session.client("rds", region_name=region).create_db_instance(
        DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", MasterUsername="admin",
        MasterUserPassword="not-a-real-password-1", AllocatedStorage=20, **kw,
    )  # fmt: skip


def seed(session: boto3.Session) -> None:
    db(session, "us-east-1", "billing-db", Engine="postgres", PubliclyAccessible=False, StorageEncrypted=True,
       KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/abc", AutoMinorVersionUpgrade=True,
       EnableIAMDatabaseAuthentication=True, MultiAZ=True, DeletionProtection=True, BackupRetentionPeriod=7,
       Tags=[{"Key": "owner", "Value": "billing"}])  # fmt: skip
    db(session, "eu-west-1", "analytics-db", Engine="mysql", PubliclyAccessible=True, StorageEncrypted=False,
       AutoMinorVersionUpgrade=False, BackupRetentionPeriod=0)  # fmt: skip


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    return {(r.rule_id, r.resource_id): r.status.value for r in evaluate(inv, RULES).results}


def test_instances_and_rules() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        res = collect(session, services=["rds"])
    inv = res.inventory
    assert not inv.errors
    dbs = {r.id: r for r in inv.of_type("aws.rds.db_instance")}
    billing, analytics = dbs["billing-db"], dbs["analytics-db"]
    assert billing.region == "us-east-1" and billing.arn == "arn:aws:rds:us-east-1:123456789012:db:billing-db"
    assert dict(billing.tags) == {"owner": "billing"}
    p = billing.properties
    assert (p["engine"], p["publicly_accessible"], p["storage_encrypted"], p["auto_minor_version_upgrade"]) == (
        "postgres", False, True, True,
    )  # fmt: skip
    assert (p["multi_az"], p["deletion_protection"], p["backup_retention_period"]) == (True, True, 7)
    assert p["iam_database_authentication_enabled"] is True and p["kms_key_id"].endswith("key/abc")
    q = analytics.properties
    assert (q["publicly_accessible"], q["storage_encrypted"], q["auto_minor_version_upgrade"]) == (True, False, False)
    assert q["backup_retention_period"] == 0 and q["vpc_security_group_ids"]
    got = statuses(inv)
    for rule in RULES:
        assert got[(rule.id, "billing-db")] == "PASS" and got[(rule.id, "analytics-db")] == "FAIL", rule.id
    assert res.calls.calls["rds.DescribeDBInstances"] == 2  # once per Region, no per-instance calls
    assert res.calls.total == 3  # + sts.GetCallerIdentity


def test_missing_flag_is_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        db(session, "us-east-1", "legacy-db", Engine="postgres")  # moto omits PubliclyAccessible here
        inv = collect(session, regions=("us-east-1",), services=["rds"]).inventory
    assert statuses(inv)[("rds_instance_public", "legacy-db")] == "UNKNOWN"


def test_denied_region_is_unknown_others_collected() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "rds", "DescribeDBInstances", regions=["eu-west-1"])
        inv = collect(session, services=["rds"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == ("eu-west-1", False, ("aws.rds.db_instance",))
    got = statuses(inv)
    assert got[("rds_instance_public", "billing-db")] == "PASS"
    assert got[("rds_instance_public", "*")] == "UNKNOWN"
    assert ("rds_instance_public", "analytics-db") not in got
