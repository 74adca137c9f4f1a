"""Security Hub collector: "not subscribed" is a fact (disabled), other errors fail the Region."""

from __future__ import annotations

import boto3
from moto import mock_aws

from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(["securityhub_disabled"])


def statuses(inv: Inventory) -> dict[str, str]:
    return {r.region: r.status.value for r in evaluate(inv, RULES).results}


def test_enabled_and_not_subscribed_regions() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        session.client("securityhub", region_name="us-east-1").enable_security_hub(EnableDefaultStandards=True)
        res = collect(session, services=["securityhub"])
    inv = res.inventory
    props = {r.id: r.properties for r in inv.of_type("aws.securityhub.region")}
    assert props["us-east-1"]["enabled"] is True
    assert props["us-east-1"]["hub_arn"] == "arn:aws:securityhub:us-east-1:123456789012:hub/default"
    assert props["eu-west-1"]["enabled"] is False and props["eu-west-1"]["enabled_standards"] == []
    assert statuses(inv) == {"us-east-1": "PASS", "eu-west-1": "FAIL"}
    # moto does not implement GetEnabledStandards: a partial error, standards unknown, no scope error.
    assert all(e.partial for e in inv.errors)
    assert props["us-east-1"]["enabled_standards"] is None
    assert res.calls.calls["securityhub.DescribeHub"] == 2
    assert res.calls.calls["securityhub.GetEnabledStandards"] == 1  # only where the hub is enabled


def test_resource_not_found_not_subscribed_means_disabled() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        deny(session, "securityhub", "DescribeHub", code="ResourceNotFoundException", status=404,
             message="Account 123456789012 is not subscribed to AWS Security Hub")  # fmt: skip
        inv = collect(session, services=["securityhub"]).inventory
    assert not inv.errors
    assert statuses(inv) == {"us-east-1": "FAIL", "eu-west-1": "FAIL"}


def test_access_denied_is_a_scope_error_not_disabled() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        deny(session, "securityhub", "DescribeHub", regions=["eu-west-1"])
        deny(session, "securityhub", "DescribeHub", code="InvalidAccessException", regions=["us-east-1"],
             message="The request was rejected because the caller is not authorized")  # fmt: skip
        inv = collect(session, services=["securityhub"]).inventory
    assert sorted((e.region, e.code, e.partial) for e in inv.errors) == [
        ("eu-west-1", "AccessDenied", False),
        ("us-east-1", "InvalidAccessException", False),
    ]
    assert statuses(inv) == {"us-east-1": "UNKNOWN", "eu-west-1": "UNKNOWN"}
