"""Run one bulk source of a collector so that its failure blinds only the types it feeds.

A collector that reads several independent list calls (EC2's security groups and volumes,
ELB's load balancers and SSL policies, ...) wraps each in :func:`guarded`: a failure
becomes a scope error for the resource types that source feeds in that region (their
rules report UNKNOWN there) and the collector carries on with the other sources.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.base import MISSING, CollectContext, error_code, error_message
from mamori.model.resource import ScanError


def guarded(
    ctx: CollectContext,
    region: str,
    service: str,
    operation: str,
    types: tuple[str, ...],
    fn: Callable[[], Any],
) -> Any:
    """``fn()``; on an AWS failure record a scope error for ``types`` and return :data:`MISSING`."""
    try:
        return fn()
    except (ClientError, BotoCoreError) as exc:
        ctx.record(
            ScanError(
                account=ctx.account,
                region=region,
                service=service,
                operation=exc.operation_name if isinstance(exc, ClientError) else operation,
                code=error_code(exc),
                message=error_message(exc),
                resource_types=types,
            )
        )
        return MISSING
