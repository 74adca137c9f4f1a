"""The shards of a distributed scan: (account, region) plus (account, global services)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from mamori.collect.aws.session import AwsTarget
from mamori.errors import InputError
from mamori.model.resource import GLOBAL

if TYPE_CHECKING:
    from mamori.collect.aws.session import SessionCache

MAX_SHARDS = 200_000  # 1,000 accounts x 17 regions is 18,000; a larger plan is a mistake


@dataclass(frozen=True)
class Shard:
    """One unit of work: collect ``scope`` (a region, or ``global``) of one account."""

    fleet_id: str
    account: str
    scope: str
    target: AwsTarget  # regions: every region of the account (global collectors cover them)

    @property
    def id(self) -> str:
        return f"{self.account}/{self.scope}"

    @property
    def is_global(self) -> bool:
        return self.scope == GLOBAL

    def to_dict(self) -> dict[str, Any]:
        t = asdict(self.target)
        t["regions"] = list(self.target.regions)
        return {"fleet_id": self.fleet_id, "account": self.account, "scope": self.scope, "target": t}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shard:
        try:
            t = dict(data["target"])
            t["regions"] = tuple(str(r) for r in t.get("regions") or ())
            target = AwsTarget(**t)
            return cls(str(data["fleet_id"]), str(data["account"]), str(data["scope"]), target)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed shard message: {exc}") from exc


@dataclass(frozen=True)
class Resolved:
    """A target with its account id and regions known (the planner's calls, counted)."""

    target: AwsTarget
    account: str
    regions: tuple[str, ...]
    calls: Mapping[str, int]


Resolver = Callable[[AwsTarget], Resolved]

_ROLE_ARN = re.compile(r"^arn:[a-z-]+:iam::(\d{12}):role/")


def resolve_target(target: AwsTarget, sessions: SessionCache | None = None) -> Resolved:
    """The account id and regions (given, else ec2:DescribeRegions) of a target.

    The role is assumed, so a role that cannot be is refused before any shard is enqueued; its
    account is the one its ARN names (an assumed role acts in its own account), else
    sts:GetCallerIdentity says. ``sessions``: one cache for the whole plan, so every role is
    assumed from one base session (see :func:`planner`)."""
    from mamori.collect.aws.session import (
        ClientFactory,
        caller_account,
        default_session_factory,
        enabled_regions,
        validate_regions,
    )

    session = sessions.get(target) if sessions is not None else default_session_factory(target)()
    if target.regions:
        validate_regions(session, target.regions, target.endpoint_url)
    factory = ClientFactory(session, target)
    named = _ROLE_ARN.match(target.role_arn or "")
    account = named.group(1) if named else caller_account(factory)
    regions = tuple(target.regions) or tuple(enabled_regions(factory))
    return Resolved(target, account, regions, dict(factory.counter.calls))


def planner() -> Resolver:
    """:func:`resolve_target` for one plan: its targets share a session cache (one base session,
    one botocore model load, instead of a new session per target)."""
    from mamori.collect.aws.session import SessionCache

    cache = SessionCache()
    return lambda t: resolve_target(t, cache)


def plan_shards(fleet_id: str, resolved: Sequence[Resolved]) -> list[Shard]:
    """One global shard and one shard per region for every account; an account named twice once."""
    shards: list[Shard] = []
    seen: set[str] = set()
    for r in resolved:
        if r.account in seen:
            continue
        seen.add(r.account)
        target = AwsTarget(
            profile=r.target.profile, role_arn=r.target.role_arn, external_id=r.target.external_id,
            endpoint_url=r.target.endpoint_url, regions=tuple(r.regions), home_region=r.target.home_region,
            max_attempts=r.target.max_attempts, workers=r.target.workers,
        )  # fmt: skip
        shards.append(Shard(fleet_id, r.account, GLOBAL, target))
        shards.extend(Shard(fleet_id, r.account, region, target) for region in r.regions)
    if len(shards) > MAX_SHARDS:
        raise InputError(f"{len(shards)} shards planned; at most {MAX_SHARDS}")
    return shards


def targets_of(aws: Any) -> list[AwsTarget]:
    """The targets of ``schedules.aws`` in mamori.yaml (:class:`mamori.config.schedules.AwsAccess`)."""
    arns: list[str | None] = [*aws.role_arns] or [None]
    return [
        AwsTarget(profile=aws.profile, role_arn=arn, external_id=aws.external_id, endpoint_url=aws.endpoint_url,
                  regions=tuple(aws.regions), workers=8)  # fmt: skip
        for arn in arns
    ]
