"""Security Hub: one ``aws.securityhub.region`` per region (hub subscribed, standards enabled).

``DescribeHub`` answers "not subscribed" (``InvalidAccessException``, or
``ResourceNotFoundException`` on some paths) when Security Hub is off: that is the fact
"disabled", not a failure. Any other error fails the region's scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from mamori.collect.aws.base import (
    COLLECTORS,
    MISSING,
    AwsCollector,
    CollectContext,
    error_code,
    error_message,
    iso,
)
from mamori.model.resource import Resource
from mamori.model.resources.securityhub import REGION, SecurityHubRegion

_NOT_SUBSCRIBED_CODES = ("InvalidAccessException", "ResourceNotFoundException")


def not_subscribed(exc: ClientError) -> bool:
    return error_code(exc) in _NOT_SUBSCRIBED_CODES and "not subscribed" in error_message(exc).lower()


@COLLECTORS.register("securityhub")
class SecurityHubCollector(AwsCollector):
    service = "securityhub"
    scope = "regional"
    resource_types = (REGION,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("securityhub", region)
        try:
            hub: dict[str, Any] | None = client.describe_hub()
        except ClientError as exc:
            if not not_subscribed(exc):
                raise
            hub = None
        standards = [] if hub is None else self._standards(ctx, client, region)
        h = hub or {}
        props: dict[str, Any] = {
            "enabled": hub is not None,
            "hub_arn": str(h.get("HubArn") or ""),
            "subscribed_at": iso(h.get("SubscribedAt")) or "",
            "auto_enable_controls": bool(h.get("AutoEnableControls", False)),
            "control_finding_generator": str(h.get("ControlFindingGenerator") or ""),
            "enabled_standards": standards,
        }
        yield ctx.resource(SecurityHubRegion.of(props), region, region, arn=props["hub_arn"], name=f"Security Hub {region}")

    @staticmethod
    def _standards(ctx: CollectContext, client: Any, region: str) -> Any:
        """The enabled standards ({arn, status}), or MISSING if they could not be read."""
        out: list[dict[str, str]] = []
        kwargs: dict[str, Any] = {}
        while True:
            resp = ctx.call(client, "get_enabled_standards", region=region, resource_type=REGION, resource_id=region, **kwargs)
            if resp is MISSING:
                return MISSING
            out.extend(
                {"arn": str(s.get("StandardsArn", "")), "status": str(s.get("StandardsStatus", ""))}
                for s in resp.get("StandardsSubscriptions", [])
            )
            token = resp.get("NextToken")
            if not token:
                return out
            kwargs = {"NextToken": token}
