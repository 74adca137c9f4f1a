"""Collect several accounts (one target each) in parallel and merge them."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from mamori.collect.aws.runner import CollectResult, Progress, collect_aws
from mamori.collect.aws.session import AwsTarget, SessionFactory
from mamori.model.resource import Inventory


@dataclass
class MultiResult:
    inventory: Inventory
    accounts: list[CollectResult]

    @property
    def api_calls(self) -> int:
        return sum(r.calls.total for r in self.accounts)


def collect_accounts(
    targets: Sequence[AwsTarget],
    *,
    session_factories: Sequence[SessionFactory | None] | None = None,
    services: Sequence[str] = (),
    progress: Progress | None = None,
) -> MultiResult:
    factories = list(session_factories or [None] * len(targets))
    started = datetime.now(UTC)
    if len(targets) == 1:
        results = [collect_aws(targets[0], session_factory=factories[0], services_=services, progress=progress)]
    else:
        with ThreadPoolExecutor(max_workers=min(8, len(targets)), thread_name_prefix="mamori-account") as pool:
            futs = [
                pool.submit(collect_aws, t, session_factory=f, services_=services, progress=progress)
                for t, f in zip(targets, factories, strict=True)
            ]
            results = [f.result() for f in futs]
    inv = Inventory(collected_at=started, source="aws:" + ",".join(r.account for r in results))
    for r in results:
        inv.merge(r.inventory)
    return MultiResult(inv, results)
