"""DynamoDB collector: tables with deletion protection, encryption and PITR; calls; failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials
from mamori.demo.seeds.dynamodb import seed_dynamodb
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("dynamodb_")])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_dynamodb(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["dynamodb"])


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    return {(r.rule_id, r.resource_id): r.status.value for r in evaluate(inv, RULES).results}


def test_tables_and_rules(session: boto3.Session) -> None:
    prod = scan(session)
    dev = collect(assume(session, DEV_ACCOUNT, None), regions=DEMO_REGIONS, services=["dynamodb"])
    inv = Inventory()
    inv.merge(prod.inventory)
    inv.merge(dev.inventory)
    assert not inv.errors
    orders = inv.get("aws.dynamodb.table", PROD, TOKYO, "orders")
    sessions = inv.get("aws.dynamodb.table", DEV_ACCOUNT, VIRGINIA, "sessions")
    assert orders is not None and sessions is not None
    assert orders.arn == f"arn:aws:dynamodb:{TOKYO}:{PROD}:table/orders" and dict(orders.tags) == {"owner": "billing"}
    p = orders.properties
    assert (p["deletion_protection"], p["point_in_time_recovery"], p["sse_type"], p["billing_mode"]) == (True, True, "KMS", "PAY_PER_REQUEST")
    assert p["kms_key_arn"].startswith("arn:aws:kms:")
    q = sessions.properties
    assert (q["deletion_protection"], q["point_in_time_recovery"], q["sse_type"], q["kms_key_arn"]) == (False, False, "AWS_OWNED", "")
    got = statuses(inv)
    for rule in RULES:
        assert (got[(rule.id, "orders")], got[(rule.id, "sessions")]) == ("PASS", "FAIL"), rule.id
    calls = prod.calls.calls
    assert calls["dynamodb.ListTables"] == len(DEMO_REGIONS)
    for per_table in ("DescribeTable", "DescribeContinuousBackups", "ListTagsOfResource"):
        assert calls[f"dynamodb.{per_table}"] == 1, per_table


def test_failing_details_are_partial_and_unknown(session: boto3.Session) -> None:
    deny(session, "dynamodb", "DescribeContinuousBackups")
    inv = scan(session).inventory
    [err] = inv.errors
    assert err.partial and err.resource_id == "orders"
    got = statuses(inv)
    assert got[("dynamodb_table_pitr_off", "orders")] == "UNKNOWN" and got[("dynamodb_table_deletion_protection_off", "orders")] == "PASS"


def test_failing_describe_keeps_the_table_unknown(session: boto3.Session) -> None:
    deny(session, "dynamodb", "DescribeTable")
    inv = scan(session).inventory
    orders = inv.get("aws.dynamodb.table", PROD, TOKYO, "orders")
    assert orders is not None and orders.properties["deletion_protection"] is None
    assert orders.properties["point_in_time_recovery"] is True
    got = statuses(inv)
    assert got[("dynamodb_table_deletion_protection_off", "orders")] == got[("dynamodb_table_not_encrypted_with_kms", "orders")] == "UNKNOWN"


def test_table_deleted_after_listing_is_skipped(session: boto3.Session) -> None:
    deny(session, "dynamodb", "DescribeTable", code="ResourceNotFoundException", status=400)
    inv = scan(session).inventory
    assert not inv.of_type("aws.dynamodb.table") and not inv.errors


def test_denied_listing_fails_only_that_region(session: boto3.Session) -> None:
    deny(session, "dynamodb", "ListTables", regions=[TOKYO])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == (TOKYO, False, ("aws.dynamodb.table",))
    assert statuses(inv)[("dynamodb_table_pitr_off", "*")] == "UNKNOWN"
