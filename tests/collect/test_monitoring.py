"""Monitoring collector (CIS 4.x): trail log groups, their metric filters and the alarms on them."""

from __future__ import annotations

import boto3
from moto import mock_aws

from mamori.collect.aws.services.monitoring import alarmed_metrics, log_group_of
from mamori.demo.seeds.monitoring import CIS_FILTERS
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny

RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("monitoring_")])
GROUP = "/aws/cloudtrail/org"
GROUP_ARN = f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:*"
ROOT = next(f for f in CIS_FILTERS if f[0] == "4.3")


def seed(session: boto3.Session, *, alarm_action: bool = True, multi_region: bool = True) -> None:
    session.client("s3", region_name="us-east-1").create_bucket(Bucket="acme-test-trail-logs")
    logs = session.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName=GROUP)
    session.client("cloudtrail", region_name="us-east-1").create_trail(
        Name="org-trail",
        S3BucketName="acme-test-trail-logs",
        IsMultiRegionTrail=multi_region,
        CloudWatchLogsLogGroupArn=GROUP_ARN,
        CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/trail-to-cwl",
    )
    topic = session.client("sns", region_name="us-east-1").create_topic(Name="alerts")["TopicArn"]
    cw = session.client("cloudwatch", region_name="us-east-1")
    _, metric, pattern = ROOT
    logs.put_metric_filter(
        logGroupName=GROUP,
        filterName=metric,
        filterPattern=pattern,
        metricTransformations=[{"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
    )
    cw.put_metric_alarm(
        AlarmName="root-usage",
        MetricName=metric,
        Namespace="CISBenchmark",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[topic] if alarm_action else [],
    )


def statuses(inv: Inventory, rule_id: str) -> dict[str, str]:
    ev = evaluate(inv, RULES.select([rule_id]))
    return {r.region: r.status.value for r in ev.results}


def test_trail_log_group_filters_and_alarms_are_collected_once_per_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        res = collect(session, services=["monitoring"])
    inv = res.inventory
    regions = {r.id: r.properties for r in inv.of_type("aws.monitoring.region")}
    east, eu = regions["us-east-1"], regions["eu-west-1"]
    assert [g["log_group"] for g in east["trail_log_groups"]] == [GROUP]
    assert east["trail_log_groups"][0]["filters_read"] is True
    assert east["monitored_patterns"] == [
        {
            "filter": ROOT[1],
            "pattern": ROOT[2],
            "metric": ROOT[1],
            "namespace": "CISBenchmark",
            "log_group": GROUP,
            "alarmed": True,
            "alarms": ["root-usage"],
        }
    ]
    assert eu["trail_log_groups"] == [] and eu["monitored_patterns"] == []
    assert [c["log_group_region"] for c in eu["covering_log_groups"]] == ["us-east-1"]  # the shadow trail
    assert not inv.errors
    calls = res.calls.calls
    assert calls["cloudtrail.DescribeTrails"] == 2 and calls["cloudwatch.DescribeAlarms"] == 2
    assert calls["logs.DescribeMetricFilters"] == 1  # once per trail log group


def test_rules_over_the_collected_filters() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        inv = collect(session, services=["monitoring"]).inventory
    assert statuses(inv, "monitoring_root_usage_not_alarmed") == {"us-east-1": "PASS", "eu-west-1": "PASS"}
    assert statuses(inv, "monitoring_vpc_changes_not_alarmed") == {"us-east-1": "FAIL", "eu-west-1": "FAIL"}


def test_alarm_without_action_does_not_count() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session, alarm_action=False)
        inv = collect(session, services=["monitoring"]).inventory
    east = inv.get("aws.monitoring.region", "123456789012", "us-east-1", "us-east-1")
    assert east is not None and east.properties["monitored_patterns"][0]["alarmed"] is False
    assert statuses(inv, "monitoring_root_usage_not_alarmed") == {"us-east-1": "FAIL", "eu-west-1": "FAIL"}


def test_single_region_trail_does_not_cover_the_region() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session, multi_region=False)
        inv = collect(session, services=["monitoring"]).inventory
    assert statuses(inv, "monitoring_root_usage_not_alarmed") == {"us-east-1": "FAIL", "eu-west-1": "FAIL"}


def test_denied_describe_alarms_is_a_scope_error_and_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "cloudwatch", "DescribeAlarms", regions=["us-east-1"])
        inv = collect(session, services=["monitoring"]).inventory
    errors = [e for e in inv.errors if not e.partial]
    assert [e.region for e in errors] == ["us-east-1"] and errors[0].code == "AccessDenied"
    # eu-west-1 is still collected; its log group lives in the failed Region, so it is unknown too.
    assert statuses(inv, "monitoring_root_usage_not_alarmed") == {
        "us-east-1": "UNKNOWN",
        "eu-west-1": "UNKNOWN",
    }


def test_denied_metric_filters_leave_the_group_unknown() -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        seed(session)
        deny(session, "logs", "DescribeMetricFilters")
        inv = collect(session, services=["monitoring"]).inventory
    assert [e.partial for e in inv.errors] == [True]
    east = inv.get("aws.monitoring.region", "123456789012", "us-east-1", "us-east-1")
    assert east is not None and east.properties["trail_log_groups"][0]["filters_read"] is False
    assert statuses(inv, "monitoring_root_usage_not_alarmed") == {
        "us-east-1": "UNKNOWN",
        "eu-west-1": "UNKNOWN",
    }


def test_helpers() -> None:
    assert log_group_of(GROUP_ARN) == ("us-east-1", "123456789012", GROUP)
    assert log_group_of("not-an-arn") == ("", "", "")
    alarms = [
        {"AlarmName": "a", "Namespace": "N", "MetricName": "M", "AlarmActions": ["arn:sns"]},
        {"AlarmName": "b", "Namespace": "N", "MetricName": "X", "AlarmActions": []},
    ]
    assert alarmed_metrics(alarms) == {("N", "M"): ["a"]}
