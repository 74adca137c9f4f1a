"""Run the collectors: global ones once per account, regional ones per region, in parallel."""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws import services
from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext, error_code, error_message
from mamori.collect.aws.session import (
    ApiCounter,
    AwsTarget,
    ClientFactory,
    SessionFactory,
    caller_account,
    default_session_factory,
    enabled_regions,
    validate_regions,
)
from mamori.errors import ConfigError
from mamori.model.resource import GLOBAL, Inventory, Resource, ScanError

Progress = Callable[[str, int, int], None]
"""progress(label, done, total): called after each collector job."""

_loaded = False
_load_lock = threading.Lock()


def load_collectors() -> None:
    """Import every module of ``mamori.collect.aws.services`` so that it registers."""
    global _loaded
    with _load_lock:
        if _loaded:
            return
        for mod in pkgutil.iter_modules(services.__path__):
            importlib.import_module(f"{services.__name__}.{mod.name}")
        _loaded = True


WARM_EXTRA = ("sts", "s3control", "cloudwatch")
"""Services clients are made for besides the collectors' own names (``monitoring`` is CloudWatch's)."""


def warm_collectors() -> list[str]:
    """Import the collectors and load the botocore models of their services into the process's
    shared loader (service, endpoint rules, paginators), without a call: a long-lived process
    (`mamori worker`) then starts its first collection as warm as its next. Returns the services."""
    import botocore.session

    from mamori.collect.aws.session import new_session, shared_loader

    known = set(botocore.session.get_session().get_available_services())
    names = sorted(({c.service for c in select_collectors()} | set(WARM_EXTRA)) & known)
    session = new_session(aws_access_key_id="warm", aws_secret_access_key="warm", region_name="us-east-1")
    loader = shared_loader()
    for name in names:
        session.client(name, region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
        loader.load_service_model(name, "paginators-1")
    return names


@dataclass
class CollectResult:
    inventory: Inventory
    account: str
    regions: list[str]
    calls: ApiCounter
    seconds: float


def select_collectors(names: Iterable[str] = ()) -> list[AwsCollector]:
    load_collectors()
    wanted = list(names)
    for n in wanted:
        if n not in COLLECTORS:
            raise ConfigError(f"unknown service {n!r} (known: {', '.join(COLLECTORS)})")
    return [COLLECTORS.get(n)() for n in (wanted or list(COLLECTORS))]


def collect_aws(
    target: AwsTarget,
    *,
    session_factory: SessionFactory | None = None,
    services_: Iterable[str] = (),
    progress: Progress | None = None,
    scope: str | None = None,
    account: str | None = None,
    hooks: Callable[[ClientFactory], None] | None = None,
    on_done: Callable[[CollectContext, Inventory], None] | None = None,
) -> CollectResult:
    """Collect one account. Never raises for a failing service or region: those become errors.

    ``scope`` restricts the collection to one shard of the account (`mamori scan --broker`):
    ``"global"`` runs only the global collectors, a region name only the regional ones in that
    region; ``target.regions`` must then list every region of the account (global collectors
    cover regional resources, S3 buckets say). ``account``, when known, saves sts:GetCallerIdentity.
    ``hooks`` may register botocore handlers on the client factory (rate limits, latency).
    ``on_done(context, inventory)`` runs before the clients are dropped (the org checks read
    a few more facts with them).
    """
    start = datetime.now(UTC)
    session = (session_factory or default_session_factory(target))()
    if target.regions:
        validate_regions(session, target.regions, target.endpoint_url)
    factory = ClientFactory(session, target)
    if hooks is not None:
        hooks(factory)
    account = account or caller_account(factory)
    regions = list(target.regions) or enabled_regions(factory)
    if scope is not None and scope != GLOBAL and scope not in regions:
        raise ConfigError(f"shard region {scope!r} is not among the account's regions")
    ctx = CollectContext(factory, account, regions=regions)
    collectors = select_collectors(services_)
    jobs: list[tuple[AwsCollector, str]] = []
    for c in collectors:
        if c.scope == "global":
            if scope in (None, GLOBAL):
                jobs.append((c, GLOBAL))
        elif scope is None:
            jobs.extend((c, r) for r in regions)
        elif scope != GLOBAL:
            jobs.append((c, scope))
    inv = Inventory(collected_at=start, source=f"aws:{account}")
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, target.workers), thread_name_prefix="mamori-collect") as pool:
        futures = {pool.submit(_run_job, ctx, c, r): (c, r) for c, r in jobs}
        for fut in as_completed(futures):
            c, region = futures[fut]
            resources, error = fut.result()
            for res in resources:
                inv.add(res)
            if error is None:
                for reg, types in (c.coverage(regions) if region == GLOBAL else [(region, c.resource_types)]):
                    inv.cover(account, reg, types)
            else:
                inv.add_error(error)
            done += 1
            if progress:
                progress(f"{c.service} {region}", done, len(jobs))
    for e in ctx.errors:
        inv.add_error(e)
    if on_done is not None:
        on_done(ctx, inv)
    seconds = (datetime.now(UTC) - start).total_seconds()
    return CollectResult(inv, account, regions, factory.counter, seconds)


def _run_job(ctx: CollectContext, collector: AwsCollector, region: str) -> tuple[list[Resource], ScanError | None]:
    try:
        return list(collector.collect(ctx, region)), None
    except (ClientError, BotoCoreError) as exc:
        op = exc.operation_name if isinstance(exc, ClientError) else ""
        return [], ScanError(
            account=ctx.account,
            region=region,
            service=collector.service,
            operation=op,
            code=error_code(exc),
            message=error_message(exc),
            resource_types=collector.resource_types,
        )
