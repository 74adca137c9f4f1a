"""KMS collector: customer-managed keys only, rotation where it exists, partial failures."""

from __future__ import annotations

import boto3
from moto import mock_aws
from moto.kms.models import kms_backends

from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(["kms_key_rotation_disabled", "kms_key_pending_deletion"])
ACCOUNT = "123456789012"


def seed(session: boto3.Session) -> dict[str, str]:
    kms = session.client("kms", region_name="us-east-1")

    def key(alias: str, **kw: str) -> str:
        kid = str(kms.create_key(Description=alias, Tags=[{"TagKey": "owner", "TagValue": "team"}], **kw)["KeyMetadata"]["KeyId"])
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=kid)
        return kid

    ids = {
        "rotating": key("rotating"),
        "static": key("static"),
        "doomed": key("doomed"),
        "signing": key("signing", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY"),
        "aws-managed": str(kms.create_key()["KeyMetadata"]["KeyId"]),
    }
    kms.enable_key_rotation(KeyId=ids["rotating"])
    kms.schedule_key_deletion(KeyId=ids["doomed"], PendingWindowInDays=7)
    # moto cannot create AWS-managed keys; mark one as such, as AWS would report it.
    kms_backends[ACCOUNT]["us-east-1"].keys[ids["aws-managed"]].key_manager = "AWS"
    return ids


def statuses(inv: Inventory, rule_id: str) -> dict[str, str]:
    return {r.resource_id: r.status.value for r in evaluate(inv, RULES.select([rule_id])).results}


def test_customer_keys_and_rotation() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        ids = seed(session)
        res = collect(session, services=["kms"])
    inv = res.inventory
    assert not inv.errors
    keys = {r.name: r for r in inv.of_type("aws.kms.key")}
    assert set(keys) == {"rotating", "static", "doomed", "signing"}  # the AWS-managed key is skipped
    rot = keys["rotating"]
    assert rot.id == ids["rotating"] and rot.arn.endswith(f":key/{ids['rotating']}") and dict(rot.tags) == {"owner": "team"}
    assert rot.properties["rotation_enabled"] is True and rot.properties["key_manager"] == "CUSTOMER"
    assert keys["static"].properties["rotation_enabled"] is False
    assert keys["doomed"].properties["key_state"] == "PendingDeletion" and keys["doomed"].properties["deletion_date"]
    assert keys["signing"].properties["rotation_supported"] is False
    assert statuses(inv, "kms_key_rotation_disabled") == {ids["rotating"]: "PASS", ids["static"]: "FAIL"}
    assert statuses(inv, "kms_key_pending_deletion") == {
        ids["rotating"]: "PASS", ids["static"]: "PASS", ids["doomed"]: "FAIL", ids["signing"]: "PASS",
    }  # fmt: skip
    calls = res.calls.calls
    assert calls["kms.ListKeys"] == 2 and calls["kms.ListAliases"] == 2  # once per Region
    assert calls["kms.DescribeKey"] == 5  # every key without an alias/aws/ alias
    assert calls["kms.GetKeyRotationStatus"] == 2  # only enabled symmetric keys
    assert calls["kms.ListResourceTags"] == 4  # customer-managed keys only


def test_detail_failures_are_partial_and_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        ids = seed(session)
        deny(session, "kms", "GetKeyRotationStatus")
        inv = collect(session, services=["kms"]).inventory
    assert inv.errors and all(e.partial for e in inv.errors)
    assert statuses(inv, "kms_key_rotation_disabled") == {ids["rotating"]: "UNKNOWN", ids["static"]: "UNKNOWN"}


def test_describe_key_denied_gives_unknown_not_pass() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        ids = seed(session)
        deny(session, "kms", "DescribeKey")
        inv = collect(session, services=["kms"]).inventory
    assert len(inv.errors) == 5 and all(e.partial for e in inv.errors)
    for rule in ("kms_key_rotation_disabled", "kms_key_pending_deletion"):
        got = statuses(inv, rule)
        assert set(got) == set(ids.values()) and set(got.values()) == {"UNKNOWN"}, rule


def test_list_keys_denied_fails_the_region_only() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        session.client("kms", region_name="eu-west-1").create_key(Description="eu")
        deny(session, "kms", "ListKeys", regions=["us-east-1"])
        inv = collect(session, services=["kms"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial) == ("us-east-1", False)
    assert [k.region for k in inv.of_type("aws.kms.key")] == ["eu-west-1"]
    got = evaluate(inv, RULES.select(["kms_key_rotation_disabled"])).results
    assert {(r.region, r.status.value) for r in got} == {("us-east-1", "UNKNOWN"), ("eu-west-1", "FAIL")}
