"""S3 object-level logging (CIS 3.8/3.9) and the trail bucket's access logs (CIS 3.4), from collected trails and buckets."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.services.cloudtrail_data import records, s3_data_events
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select(["s3_bucket_object_write_logging_off", "s3_bucket_object_read_logging_off", "cloudtrail_bucket_access_logging_off"])
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"


def _adv(*fields: tuple[str, str, list[str]]) -> dict[str, Any]:
    return {"Name": "x", "FieldSelectors": [{"Field": f, op: v} for f, op, v in fields]}


DATA, S3OBJ = ("eventCategory", "Equals", ["Data"]), ("resources.type", "Equals", ["AWS::S3::Object"])


@pytest.mark.parametrize(
    ("basic", "advanced", "bucket", "read", "write"),
    [
        ([{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}], [], "b", True, True),
        ([{"ReadWriteType": "WriteOnly", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::b/"]}]}], [], "b", False, True),
        ([{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::b/logs/"]}]}], [], "b", False, False),
        ([{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}], [], "b", False, False),
        ([{"ReadWriteType": "All", "IncludeManagementEvents": True}], [], "b", False, False),
        ([], [_adv(DATA, S3OBJ)], "b", True, True),
        ([], [_adv(DATA, S3OBJ, ("readOnly", "Equals", ["true"]))], "b", True, False),
        ([], [_adv(DATA, S3OBJ, ("readOnly", "Equals", ["false"]), ("resources.ARN", "StartsWith", ["arn:aws:s3:::b/"]))], "b", False, True),
        ([], [_adv(DATA, S3OBJ, ("resources.ARN", "StartsWith", ["arn:aws:s3:::other/"]))], "b", False, False),
        ([], [_adv(DATA, S3OBJ, ("resources.ARN", "NotStartsWith", ["arn:aws:s3:::b/"]))], "b", False, False),
        ([], [_adv(DATA, S3OBJ, ("resources.ARN", "NotStartsWith", ["arn:aws:s3:::b/tmp/"]))], "b", False, False),
        ([], [_adv(DATA, S3OBJ, ("resources.ARN", "NotStartsWith", ["arn:aws:s3:::other/"]))], "b", True, True),
        ([], [_adv(DATA, S3OBJ, ("eventName", "Equals", ["PutObject"]))], "b", False, False),
        ([], [_adv(DATA, S3OBJ, ("resources.ARN", "StartsWith", ["arn:aws:s3:::b/logs/"]))], "b", False, False),
        ([], [_adv(("eventCategory", "Equals", ["Management"]))], "b", False, False),
    ],
)  # fmt: skip
def test_s3_data_events(basic: list[dict[str, Any]], advanced: list[dict[str, Any]], bucket: str, read: bool, write: bool) -> None:
    selectors = s3_data_events(basic, advanced)
    assert (records(selectors, bucket, "read"), records(selectors, bucket, "write")) == (read, write)


def seed(session: boto3.Session, *, logging: bool = True) -> None:
    east = session.client("s3", region_name="us-east-1")
    for bucket in ("acme-test-trail-logs", "acme-test-access-logs", "acme-test-data", "acme-test-partner"):
        east.create_bucket(Bucket=bucket)
    east.put_bucket_policy(Bucket="acme-test-access-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::acme-test-access-logs/*"}]}))  # fmt: skip
    east.put_bucket_logging(Bucket="acme-test-trail-logs", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "acme-test-access-logs", "TargetPrefix": "trail/"}})  # fmt: skip
    ct = session.client("cloudtrail", region_name="us-east-1")
    ct.create_trail(Name="org-trail", S3BucketName="acme-test-trail-logs", IsMultiRegionTrail=True)
    ct.put_event_selectors(TrailName="org-trail", AdvancedEventSelectors=[
        _adv(("eventCategory", "Equals", ["Management"])),
        _adv(DATA, S3OBJ, ("readOnly", "Equals", ["false"])),
        _adv(DATA, S3OBJ, ("readOnly", "Equals", ["true"]), ("resources.ARN", "StartsWith", ["arn:aws:s3:::acme-test-partner/"])),
    ])  # fmt: skip
    if logging:
        ct.start_logging(Name="org-trail")
    eu = session.client("cloudtrail", region_name="eu-west-1")
    session.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="acme-test-eu-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})  # fmt: skip
    eu.create_trail(Name="eu-local", S3BucketName="acme-test-eu-logs")
    eu.start_logging(Name="eu-local")


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    return {(r.rule_id, r.resource_id.rsplit("/", 1)[-1]): r.status.value for r in evaluate(inv, RULES).results}


def test_rules_over_collected_trails_and_buckets() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        res = collect(session, services=["cloudtrail", "s3"])
    inv = res.inventory
    assert not inv.errors
    trail = inv.get("aws.cloudtrail.trail", "123456789012", "us-east-1", TRAIL)
    assert trail is not None and len(trail.properties["s3_data_events"]) == 2
    assert trail.properties["management_events_read"] is True and trail.properties["management_events_write"] is True
    got = statuses(inv)
    # The multi-Region trail records writes of every bucket (eu-west-1 too), reads of the partner bucket only.
    for b in ("acme-test-data", "acme-test-partner", "acme-test-eu-logs"):
        assert got[("s3_bucket_object_write_logging_off", b)] == "PASS", b
    assert got[("s3_bucket_object_read_logging_off", "acme-test-partner")] == "PASS"
    assert got[("s3_bucket_object_read_logging_off", "acme-test-data")] == "FAIL"
    assert got[("cloudtrail_bucket_access_logging_off", "org-trail")] == "PASS"
    assert got[("cloudtrail_bucket_access_logging_off", "eu-local")] == "FAIL"  # acme-test-eu-logs keeps no access logs
    assert res.calls.calls["cloudtrail.GetEventSelectors"] == 2  # no new calls: the selectors were already read


def test_a_stopped_trail_records_nothing() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session, logging=False)
        inv = collect(session, services=["cloudtrail", "s3"]).inventory
    got = statuses(inv)
    assert got[("s3_bucket_object_write_logging_off", "acme-test-data")] == "FAIL"


def test_unscanned_trail_home_or_bucket_is_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        inv = collect(session, regions=("eu-west-1",), services=["cloudtrail", "s3"]).inventory
    got = statuses(inv)
    # The multi-Region trail that covers eu-west-1 is homed in us-east-1, which was not scanned.
    assert got[("s3_bucket_object_write_logging_off", "acme-test-eu-logs")] == "UNKNOWN"
    assert got[("cloudtrail_bucket_access_logging_off", "eu-local")] == "FAIL"


def test_failing_selectors_are_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "cloudtrail", "GetEventSelectors", regions=["us-east-1"])
        deny(session, "s3", "GetBucketLogging")
        inv = collect(session, services=["cloudtrail", "s3"]).inventory
    got = statuses(inv)
    assert got[("s3_bucket_object_write_logging_off", "acme-test-data")] == "UNKNOWN"
    assert got[("cloudtrail_bucket_access_logging_off", "org-trail")] == "UNKNOWN"
