"""AWS Config collector: one resource per Region with the recorder's state."""

from __future__ import annotations

import boto3
from moto import mock_aws

from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(["config_recorder_off"])
ROLE = "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def recorder(session: boto3.Session, region: str, group: dict[str, object], *, start: bool = True) -> None:
    cfg = session.client("config", region_name=region)
    cfg.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE, "recordingGroup": group})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "acme-config"})
    if start:
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")


def statuses(inv: Inventory) -> dict[str, str]:
    return {r.region: r.status.value for r in evaluate(inv, RULES).results}


def test_recorder_states_per_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        recorder(session, "us-east-1", {"allSupported": True, "includeGlobalResourceTypes": True})
        recorder(session, "ap-northeast-1", {"allSupported": True}, start=False)
        recorder(session, "eu-central-1", {"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]})
        res = collect(session, regions=("us-east-1", "eu-west-1", "ap-northeast-1", "eu-central-1"), services=["config"])
    inv = res.inventory
    assert not inv.errors
    props = {r.id: r.properties for r in inv.of_type("aws.config.region")}
    east = props["us-east-1"]
    assert east["recorder_exists"] and east["recording"] and east["all_supported"]
    assert east["include_global_resource_types"] is True and east["uses_service_linked_role"] is True
    assert east["delivery_channel_exists"] is True and east["delivery_s3_bucket"] == "acme-config"
    none = props["eu-west-1"]
    assert (none["recorder_exists"], none["recording"], none["all_supported"], none["delivery_channel_exists"]) == (
        False, False, False, False,
    )  # fmt: skip
    assert props["ap-northeast-1"]["recording"] is False
    assert props["eu-central-1"]["all_supported"] is False
    assert props["eu-central-1"]["resource_types"] == ["AWS::S3::Bucket"]
    assert statuses(inv) == {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-northeast-1": "FAIL", "eu-central-1": "FAIL"}
    for op in ("DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus", "DescribeDeliveryChannels"):
        assert res.calls.calls[f"config.{op}"] == 4  # once per Region


def test_denied_status_fails_only_that_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        recorder(session, "us-east-1", {"allSupported": True})
        recorder(session, "eu-west-1", {"allSupported": True})
        deny(session, "config", "DescribeConfigurationRecorderStatus", regions=["eu-west-1"])
        inv = collect(session, services=["config"]).inventory
    [err] = inv.errors
    assert (err.region, err.operation, err.partial) == ("eu-west-1", "DescribeConfigurationRecorderStatus", False)
    assert [r.id for r in inv.of_type("aws.config.region")] == ["us-east-1"]
    assert statuses(inv) == {"us-east-1": "PASS", "eu-west-1": "UNKNOWN"}
