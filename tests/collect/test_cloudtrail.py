"""CloudTrail collector: trails in their home Region only, Region coverage, partial failures."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from mamori.collect.aws.services.cloudtrail import management_events
from mamori.engine import evaluate
from mamori.model import Inventory, ResultStatus
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(
    [
        "cloudtrail_multi_region_trail_missing",
        "cloudtrail_trail_not_logging",
        "cloudtrail_log_file_validation_off",
        "cloudtrail_not_encrypted_with_kms",
        "cloudtrail_no_cloudwatch_logs",
    ]
)
ORG = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"
LOCAL = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/eu-local"


def seed(session: boto3.Session, *, multi_region: bool = True) -> None:
    s3 = session.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="acme-test-trail-logs")
    east = session.client("cloudtrail", region_name="us-east-1")
    east.create_trail(
        Name="org-trail",
        S3BucketName="acme-test-trail-logs",
        IsMultiRegionTrail=multi_region,
        EnableLogFileValidation=True,
        KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        CloudWatchLogsLogGroupArn="arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
        CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/trail-to-cwl",
        TagsList=[{"Key": "owner", "Value": "security"}],
    )
    east.put_event_selectors(TrailName="org-trail", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
    east.start_logging(Name="org-trail")
    eu = session.client("cloudtrail", region_name="eu-west-1")
    eu.create_trail(Name="eu-local", S3BucketName="acme-test-trail-logs")


def statuses(inv: Inventory, rule_id: str) -> dict[tuple[str, str], str]:
    ev = evaluate(inv, RULES.select([rule_id]))
    return {(r.region, r.resource_id): r.status.value for r in ev.results}


def test_trails_are_collected_once_in_their_home_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        res = collect(session, services=["cloudtrail"])
    inv = res.inventory
    trails = {t.id: t for t in inv.of_type("aws.cloudtrail.trail")}
    assert set(trails) == {ORG, LOCAL}
    org, local = trails[ORG], trails[LOCAL]
    assert (org.region, org.name, dict(org.tags)) == ("us-east-1", "org-trail", {"owner": "security"})
    assert local.region == "eu-west-1"
    p = org.properties
    assert p["is_multi_region"] is True and p["is_logging"] is True
    assert p["log_file_validation_enabled"] is True and p["encrypted_with_kms"] is True
    assert p["cloudwatch_logs_enabled"] is True
    assert p["management_events_read"] is True and p["management_events_write"] is True
    assert p["event_selectors"][0]["ReadWriteType"] == "All"
    q = local.properties
    assert q["is_logging"] is False and q["log_file_validation_enabled"] is False
    assert q["kms_key_id"] == "" and q["encrypted_with_kms"] is False and q["cloudwatch_logs_enabled"] is False
    regions = {r.id: r.properties for r in inv.of_type("aws.cloudtrail.region")}
    assert regions["eu-west-1"]["multi_region_trails"] == [ORG]  # the shadow of the us-east-1 trail
    assert set(regions["eu-west-1"]["trails_homed"]) == {LOCAL}
    assert regions["us-east-1"]["trails_homed"] == [ORG]
    assert not inv.errors
    calls = res.calls.calls
    assert calls["cloudtrail.DescribeTrails"] == 2  # once per Region
    assert calls["cloudtrail.GetTrailStatus"] == 2 and calls["cloudtrail.GetEventSelectors"] == 2  # once per trail
    assert calls["cloudtrail.ListTags"] == 2  # one batch per Region


def test_rules_over_the_collected_trails() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        inv = collect(session, services=["cloudtrail"]).inventory
    assert statuses(inv, "cloudtrail_multi_region_trail_missing") == {
        ("us-east-1", "us-east-1"): "PASS",
        ("eu-west-1", "eu-west-1"): "PASS",
    }
    for rule in ("cloudtrail_trail_not_logging", "cloudtrail_log_file_validation_off", "cloudtrail_not_encrypted_with_kms",
                 "cloudtrail_no_cloudwatch_logs"):  # fmt: skip
        assert statuses(inv, rule) == {("us-east-1", ORG): "PASS", ("eu-west-1", LOCAL): "FAIL"}, rule


def test_no_multi_region_trail_fails_every_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session, multi_region=False)
        inv = collect(session, services=["cloudtrail"]).inventory
    got = statuses(inv, "cloudtrail_multi_region_trail_missing")
    assert got == {("us-east-1", "us-east-1"): "FAIL", ("eu-west-1", "eu-west-1"): "FAIL"}


def test_home_region_not_scanned_gives_unknown_not_fail() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        inv = collect(session, regions=("eu-west-1",), services=["cloudtrail"]).inventory
    assert statuses(inv, "cloudtrail_multi_region_trail_missing") == {("eu-west-1", "eu-west-1"): "UNKNOWN"}
    assert [t.id for t in inv.of_type("aws.cloudtrail.trail")] == [LOCAL]


def test_failed_home_region_is_unknown_and_other_regions_still_collected() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "cloudtrail", "DescribeTrails", regions=["us-east-1"])
        inv = collect(session, services=["cloudtrail"]).inventory
    [err] = inv.errors
    assert (err.region, err.code, err.partial) == ("us-east-1", "AccessDenied", False)
    assert set(err.resource_types) == {"aws.cloudtrail.trail", "aws.cloudtrail.region"}
    assert [t.id for t in inv.of_type("aws.cloudtrail.trail")] == [LOCAL]
    got = statuses(inv, "cloudtrail_multi_region_trail_missing")
    assert got == {("eu-west-1", "eu-west-1"): "UNKNOWN", ("us-east-1", "*"): "UNKNOWN"}
    assert statuses(inv, "cloudtrail_trail_not_logging") == {("eu-west-1", LOCAL): "FAIL", ("us-east-1", "*"): "UNKNOWN"}


def test_trail_status_failure_is_partial_and_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "cloudtrail", "GetTrailStatus")
        deny(session, "cloudtrail", "GetEventSelectors", regions=["us-east-1"])
        inv = collect(session, services=["cloudtrail"]).inventory
    assert all(e.partial for e in inv.errors) and len(inv.errors) == 3
    org = inv.get("aws.cloudtrail.trail", "123456789012", "us-east-1", ORG)
    assert org is not None
    assert org.properties["is_logging"] is None and org.properties["management_events_read"] is None
    assert org.properties["log_file_validation_enabled"] is True  # from DescribeTrails, still known
    assert statuses(inv, "cloudtrail_trail_not_logging") == {("us-east-1", ORG): "UNKNOWN", ("eu-west-1", LOCAL): "UNKNOWN"}
    got = statuses(inv, "cloudtrail_multi_region_trail_missing")
    assert set(got.values()) == {"UNKNOWN"}
    assert statuses(inv, "cloudtrail_log_file_validation_off")[("us-east-1", ORG)] == "PASS"


def test_never_pass_when_denied_everywhere() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "cloudtrail", "DescribeTrails")
        inv = collect(session, services=["cloudtrail"]).inventory
    ev = evaluate(inv, RULES)
    assert ev.results and all(r.status is ResultStatus.UNKNOWN for r in ev.results)


def _adv(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"Name": "s", "FieldSelectors": list(fields)}


def test_management_event_selectors() -> None:
    mgmt = {"Field": "eventCategory", "Equals": ["Management"]}
    assert management_events([], []) == (True, True)  # AWS's default for a trail without selectors
    assert management_events([{"ReadWriteType": "All", "IncludeManagementEvents": True}], []) == (True, True)
    assert management_events([{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}], []) == (False, True)
    assert management_events([{"ReadWriteType": "All", "IncludeManagementEvents": False}], []) == (False, False)
    assert management_events(
        [{"ReadWriteType": "ReadOnly"}, {"ReadWriteType": "WriteOnly"}], []
    ) == (True, True)
    assert management_events([], [_adv(mgmt)]) == (True, True)
    assert management_events([], [_adv(mgmt, {"Field": "readOnly", "Equals": ["false"]})]) == (False, True)
    assert management_events([], [_adv(mgmt, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]})]) == (True, True)
    assert management_events([], [_adv(mgmt, {"Field": "eventSource", "Equals": ["iam.amazonaws.com"]})]) == (False, False)
    data = {"Field": "eventCategory", "Equals": ["Data"]}
    assert management_events([], [_adv(data, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]})]) == (False, False)
