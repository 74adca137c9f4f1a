"""The collector protocol, the collect context and the collector registry.

A collector is a class with ``service``, ``scope`` ("global": once per account,
"regional": once per region), ``resource_types`` and ``collect(ctx, region)``, which
yields :class:`~mamori.model.resource.Resource` records. It calls each API once per
scope (bulk calls first, per-item calls only where no bulk call exists) and never
evaluates anything: rules do that.

Errors: an exception escaping ``collect`` marks the whole (account, region, types)
scope as failed (rules there report UNKNOWN). A per-resource detail that fails is
recorded with :meth:`CollectContext.call` and becomes ``None`` in the properties.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.session import ClientFactory
from mamori.model.resource import GLOBAL, Resource, ScanError
from mamori.model.resources.base import MISSING as MISSING
from mamori.model.resources.base import Missing as Missing
from mamori.model.resources.base import Props
from mamori.registry import Registry

Scope = Literal["global", "regional"]


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def error_message(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message", ""))[:500]
    return str(exc)[:500]


class CollectContext:
    """What a collector gets: clients for the account, the scope, and an error sink."""

    def __init__(self, factory: ClientFactory, account: str, partition: str = "aws", regions: Iterable[str] = ()) -> None:
        self.factory = factory
        self.account = account
        self.partition = partition
        self.regions = list(regions)
        self.collected_at = datetime.now(UTC)
        self._lock = threading.Lock()
        self.errors: list[ScanError] = []

    @property
    def home_region(self) -> str:
        return self.factory.target.home_region

    def client(self, service: str, region: str | None = None) -> Any:
        return self.factory.client(service, self.home_region if region in (None, GLOBAL) else str(region))

    def record(self, error: ScanError) -> None:
        with self._lock:
            self.errors.append(error)

    def call(
        self,
        client: Any,
        operation: str,
        *,
        region: str,
        resource_type: str,
        resource_id: str,
        absent: Iterable[str] = (),
        absent_value: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Call a per-resource detail API.

        Returns the response; ``absent_value`` when AWS answers with one of the ``absent``
        error codes (e.g. ``NoSuchBucketPolicy``: no policy is a fact, not a failure);
        :data:`MISSING` (and a recorded partial error) on any other failure.
        """
        absent = tuple(absent)
        try:
            return getattr(client, operation)(**kwargs)
        except ClientError as exc:
            code = error_code(exc)
            if code in absent:
                return absent_value
            self._partial(exc, region, client, operation, resource_type, resource_id)
        except BotoCoreError as exc:
            self._partial(exc, region, client, operation, resource_type, resource_id)
        return MISSING

    def _partial(self, exc: BaseException, region: str, client: Any, operation: str, rtype: str, rid: str) -> None:
        api_name = client.meta.method_to_api_mapping.get(operation, operation)
        self.record(
            ScanError(
                account=self.account,
                region=region,
                service=client.meta.service_model.service_name,
                operation=api_name,
                code=error_code(exc),
                message=error_message(exc),
                resource_types=(rtype,),
                resource_id=rid,
            )
        )

    @staticmethod
    def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
        """All items of a paginated list call (raises on failure: the scope fails)."""
        if client.can_paginate(operation):
            out: list[Any] = []
            for page in client.get_paginator(operation).paginate(**kwargs):
                out.extend(page.get(key, []))
            return out
        return list(getattr(client, operation)(**kwargs).get(key, []))

    def arn(self, service: str, region: str, resource: str, account: str | None = None) -> str:
        reg = "" if region == GLOBAL else region
        acct = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}"

    def resource(
        self,
        properties: Props,
        region: str,
        rid: str,
        *,
        arn: str = "",
        name: str = "",
        tags: dict[str, str] | None = None,
    ) -> Resource:
        """Build a Resource of the model's type; its ``properties`` are the model's
        :meth:`~mamori.model.resources.base.Props.to_properties` (build the model with
        ``Model.of(mapping)``: MISSING detail values become None, unknown)."""
        if not properties.TYPE:
            raise TypeError(f"{type(properties).__name__} is not registered as a resource type's model")
        return Resource(
            provider="aws",
            account=self.account,
            region=region,
            type=properties.TYPE,
            id=rid,
            arn=arn,
            name=name or rid,
            tags=tags or {},
            properties=properties.to_properties(),
        )


class AwsCollector:
    """Base class of AWS collectors (subclass and register with ``@COLLECTORS.register``)."""

    service: ClassVar[str]
    scope: ClassVar[Scope] = "regional"
    resource_types: ClassVar[tuple[str, ...]]

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        raise NotImplementedError

    def coverage(self, regions: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        """The (region, types) scopes a clean run covers. Global collectors cover GLOBAL."""
        return [(GLOBAL, self.resource_types)]


COLLECTORS: Registry[type[AwsCollector]] = Registry("collector")


def tags_of(items: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """AWS ``[{Key, Value}]`` tag lists as a dict."""
    return {str(t.get("Key")): str(t.get("Value", "")) for t in items or []}


def iso(value: Any) -> Any:
    """Datetimes as ISO strings (properties stay JSON-compatible)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return value
