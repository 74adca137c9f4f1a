"""CIS section 4 monitoring: metric filters on trail log groups and the alarms on them.

Regional, one ``aws.monitoring.region`` per Region. Per Region:

- ``cloudtrail.DescribeTrails(includeShadowTrails=True)`` once: the trails homed here that
  deliver to CloudWatch Logs (their log groups are in this Region, as CloudTrail requires)
  and, shadow trails included, the multi-Region trails that *cover* this Region wherever
  their log group lives (``covering_log_groups``), so a rule evaluated for any Region
  knows which log groups must hold the filters;
- ``logs.DescribeMetricFilters(logGroupName=...)`` once per trail log group homed here
  (through ``ctx.call``: one failing group leaves only that group unknown);
- ``cloudwatch.DescribeAlarms`` once (paginated): a filter's metric is *alarmed* when a
  metric alarm on the same MetricName + Namespace has at least one alarm action.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext
from mamori.model.resource import Resource
from mamori.model.resources.monitoring import REGION, MonitoringRegion


def log_group_of(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of a log group ARN (``arn:aws:logs:R:A:log-group:NAME[:*]``)."""
    parts = arn.split(":", 6)
    if len(parts) < 7 or parts[5] != "log-group":
        return "", "", ""
    return parts[3], parts[4], parts[6].removesuffix(":*")


def alarmed_metrics(alarms: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(namespace, metric) -> names of the alarms on it that have at least one alarm action."""
    out: dict[tuple[str, str], list[str]] = {}
    for a in alarms:
        if not a.get("AlarmActions"):
            continue
        key = (str(a.get("Namespace") or ""), str(a.get("MetricName") or ""))
        out.setdefault(key, []).append(str(a.get("AlarmName", "")))
    return out


@COLLECTORS.register("monitoring")
class MonitoringCollector(AwsCollector):
    service = "monitoring"
    scope = "regional"
    resource_types = (REGION,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        trails = (
            ctx.client("cloudtrail", region).describe_trails(includeShadowTrails=True).get("trailList", [])
        )
        covering: list[dict[str, Any]] = []
        homed: dict[str, dict[str, Any]] = {}
        for t in trails:
            arn = str(t.get("CloudWatchLogsLogGroupArn") or "")
            if not arn:
                continue
            group_region, account, name = log_group_of(arn)
            entry = {
                "trail": str(t.get("TrailARN", "")),
                "is_multi_region": bool(t.get("IsMultiRegionTrail", False)),
                "log_group": name,
                "log_group_arn": arn,
                "log_group_region": group_region or region,
                "log_group_account": account or ctx.account,
            }
            if entry["is_multi_region"]:
                covering.append(entry)
            if t.get("HomeRegion", region) == region and entry["log_group_region"] == region:
                homed.setdefault(name, entry)
        cw = ctx.client("cloudwatch", region)
        alarms = alarmed_metrics(list(ctx.paginate(cw, "describe_alarms", "MetricAlarms")))
        logs = ctx.client("logs", region) if homed else None
        groups: list[dict[str, Any]] = []
        patterns: list[dict[str, Any]] = []
        for name, entry in homed.items():
            filters = self._filters(ctx, logs, region, name)
            groups.append({**entry, "filters_read": filters is not MISSING})
            for f in [] if filters is MISSING else filters:
                for m in f.get("metricTransformations") or []:
                    key = (str(m.get("metricNamespace") or ""), str(m.get("metricName") or ""))
                    patterns.append(
                        {
                            "filter": str(f.get("filterName", "")),
                            "pattern": str(f.get("filterPattern") or ""),
                            "metric": key[1],
                            "namespace": key[0],
                            "log_group": name,
                            "alarmed": key in alarms,
                            "alarms": alarms.get(key, []),
                        }
                    )
        props = {"trail_log_groups": groups, "covering_log_groups": covering, "monitored_patterns": patterns}
        yield ctx.resource(MonitoringRegion.of(props), region, region, name=f"Monitoring {region}")

    @staticmethod
    def _filters(ctx: CollectContext, client: Any, region: str, group: str) -> Any:
        """Every metric filter of one log group (MISSING when it could not be read)."""
        out: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"logGroupName": group}
        while True:
            resp = ctx.call(
                client,
                "describe_metric_filters",
                region=region,
                resource_type=REGION,
                resource_id=region,
                **kwargs,
            )
            if resp is MISSING:
                return MISSING
            out.extend(resp.get("metricFilters") or [])
            token = resp.get("nextToken")
            if not token:
                return out
            kwargs["nextToken"] = token
