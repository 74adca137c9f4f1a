"""GuardDuty collector: one resource per Region, enabled or not."""

from __future__ import annotations

import boto3
from moto import mock_aws

from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(["guardduty_disabled"])
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")


def seed(session: boto3.Session) -> None:
    session.client("guardduty", region_name="us-east-1").create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")
    session.client("guardduty", region_name="ap-northeast-1").create_detector(Enable=False)


def statuses(inv: Inventory) -> dict[str, str]:
    return {r.region: r.status.value for r in evaluate(inv, RULES).results}


def test_detectors_per_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        res = collect(session, regions=REGIONS, services=["guardduty"])
    inv = res.inventory
    assert not inv.errors
    props = {r.id: r.properties for r in inv.of_type("aws.guardduty.region")}
    assert props["us-east-1"]["enabled"] is True and props["us-east-1"]["status"] == "ENABLED"
    assert props["us-east-1"]["finding_publishing_frequency"] == "FIFTEEN_MINUTES"
    assert len(props["us-east-1"]["detector_id"]) == 32
    assert props["eu-west-1"] == props["eu-west-1"] | {"enabled": False, "detector_id": "", "detector_ids": [], "status": ""}
    assert props["ap-northeast-1"]["enabled"] is False and props["ap-northeast-1"]["status"] == "DISABLED"
    assert statuses(inv) == {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-northeast-1": "FAIL"}
    assert res.calls.calls["guardduty.ListDetectors"] == 3
    assert res.calls.calls["guardduty.GetDetector"] == 2  # only where a detector exists


def test_get_detector_failure_is_partial_and_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "guardduty", "GetDetector", regions=["us-east-1"])
        inv = collect(session, regions=REGIONS, services=["guardduty"]).inventory
    [err] = inv.errors
    assert err.partial and err.region == "us-east-1" and err.operation == "GetDetector"
    east = inv.get("aws.guardduty.region", "123456789012", "us-east-1", "us-east-1")
    assert east is not None and east.properties["enabled"] is None and east.properties["status"] is None
    assert statuses(inv) == {"us-east-1": "UNKNOWN", "eu-west-1": "FAIL", "ap-northeast-1": "FAIL"}


def test_denied_region_is_unknown_others_collected() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "guardduty", "ListDetectors", regions=["us-east-1"])
        inv = collect(session, regions=REGIONS, services=["guardduty"]).inventory
    [err] = inv.errors
    assert not err.partial and err.region == "us-east-1"
    assert statuses(inv) == {"us-east-1": "UNKNOWN", "eu-west-1": "FAIL", "ap-northeast-1": "FAIL"}
