"""Test helpers for AWS: make an operation fail the way AWS would, and collect in-process."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from mamori.collect.aws.runner import CollectResult, collect_aws
from mamori.collect.aws.session import AwsTarget


def deny(
    session: boto3.Session,
    service: str,
    operation: str,
    *,
    code: str = "AccessDenied",
    message: str = "User is not authorized to perform this action",
    status: int = 403,
    regions: Iterable[str] | None = None,
) -> None:
    """Make ``service.operation`` answer with an AWS error on this session (optionally only in some regions)."""
    only = set(regions) if regions is not None else None

    def handler(model: Any = None, context: Any = None, **_: Any) -> Any:
        region = (context or {}).get("client_region")
        if only is not None and region not in only:
            return None
        http = AWSResponse("https://denied.invalid", status, {}, None)
        return http, {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}

    session._session.register(f"before-call.{service}.{operation}", handler)




def collect(
    session: boto3.Session | None = None,
    *,
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    services: Iterable[str] = (),
) -> CollectResult:
    """Collect from in-process moto (call inside ``mock_aws()``)."""
    sess = session or boto3.Session(region_name="us-east-1")
    target = AwsTarget(regions=regions, home_region="us-east-1", workers=4)
    return collect_aws(target, session_factory=lambda: sess, services_=services)
