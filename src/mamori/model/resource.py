"""The provider-neutral resource model and the inventory that holds a collection.

A :class:`Resource` is what a collector turns an API answer into, and the only thing a
rule ever reads. Property values that could not be collected are ``None``: rules treat
them as *unknown*, never as compliant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GLOBAL = "global"
"""The region of resources that belong to no region (IAM users, the account itself)."""


@dataclass(frozen=True, slots=True)
class Resource:
    """One cloud resource. ``properties`` holds JSON-compatible values; treat it as read-only."""

    provider: str
    account: str
    region: str
    type: str
    id: str
    arn: str = ""
    name: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    properties: Mapping[str, Any] = field(default_factory=dict)
    unresolved: Mapping[str, str] = field(default_factory=dict)
    """Property -> the source expression it could not be resolved from (IaC only; such a
    property is ``None``). Not stored: a collector never sets it."""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.type, self.account, self.region, self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "type": self.type,
            "id": self.id,
            "arn": self.arn,
            "name": self.name,
            "tags": dict(self.tags),
            "properties": dict(self.properties),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Resource:
        return cls(
            provider=str(data["provider"]),
            account=str(data["account"]),
            region=str(data["region"]),
            type=str(data["type"]),
            id=str(data["id"]),
            arn=str(data.get("arn") or ""),
            name=str(data.get("name") or ""),
            tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
            properties=dict(data.get("properties") or {}),
        )


@dataclass(frozen=True, slots=True)
class ScanError:
    """A failure to collect part of the estate, kept so that results are honest.

    ``resource_types`` are the types whose data is missing or incomplete because of it;
    rules over those types report UNKNOWN in this scope and open findings there are not
    resolved.
    """

    account: str
    region: str
    service: str
    operation: str
    code: str
    message: str
    resource_types: tuple[str, ...] = ()
    resource_id: str = ""
    """Set when only one resource's detail failed: its properties are ``None`` (UNKNOWN) and
    the rest of the scope stays clean."""

    @property
    def partial(self) -> bool:
        return bool(self.resource_id)

    def covers(self, account: str, region: str, resource_type: str) -> bool:
        return (
            not self.partial
            and self.account in (account, "*")
            and self.region in (region, "*")
            and (not self.resource_types or resource_type in self.resource_types)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "service": self.service,
            "operation": self.operation,
            "code": self.code,
            "message": self.message,
            "resource_types": list(self.resource_types),
            "resource_id": self.resource_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScanError:
        return cls(
            account=str(data["account"]),
            region=str(data["region"]),
            service=str(data["service"]),
            operation=str(data.get("operation", "")),
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
            resource_types=tuple(data.get("resource_types") or ()),
            resource_id=str(data.get("resource_id") or ""),
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """One (account, region, resource type) scope that a collection looked at."""

    account: str
    region: str
    resource_type: str


class Inventory:
    """The resources of one collection, indexed by type, with what was covered and what failed."""

    def __init__(
        self,
        resources: Iterable[Resource] = (),
        *,
        errors: Iterable[ScanError] = (),
        coverage: Iterable[Coverage] = (),
        collected_at: datetime | None = None,
        source: str = "memory",
    ) -> None:
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._by_key: dict[tuple[str, str, str, str], Resource] = {}
        self.errors: list[ScanError] = list(errors)
        self.coverage: set[Coverage] = set(coverage)
        self.collected_at = collected_at or datetime.now(UTC)
        self.source = source
        self._by_type_id: dict[str, dict[str, list[Resource]]] = {}
        for r in resources:
            self.add(r)

    def add(self, resource: Resource) -> None:
        if resource.key in self._by_key:
            raise ValueError(f"duplicate resource {resource.key}")
        self._by_key[resource.key] = resource
        self._by_type[resource.type].append(resource)
        self._by_type_id.pop(resource.type, None)

    def add_error(self, error: ScanError) -> None:
        self.errors.append(error)

    def cover(self, account: str, region: str, resource_types: Iterable[str]) -> None:
        for t in resource_types:
            self.coverage.add(Coverage(account, region, t))

    def merge(self, other: Inventory) -> None:
        for r in other:
            self.add(r)
        self.errors.extend(other.errors)
        self.coverage |= other.coverage

    def of_type(self, resource_type: str) -> list[Resource]:
        return self._by_type.get(resource_type, [])

    def get(self, resource_type: str, account: str, region: str, rid: str) -> Resource | None:
        return self._by_key.get((resource_type, account, region, rid))

    def find(self, resource_type: str, rid: str) -> list[Resource]:
        """Resources of a type with this id in any account or region (e.g. a bucket by name), indexed once."""
        index = self._by_type_id.get(resource_type)
        if index is None:
            index = {}
            for r in self._by_type.get(resource_type, []):
                index.setdefault(r.id, []).append(r)
            self._by_type_id[resource_type] = index
        return index.get(rid, [])

    def types(self) -> list[str]:
        return sorted(t for t, rs in self._by_type.items() if rs)

    @property
    def accounts(self) -> list[str]:
        return sorted({c.account for c in self.coverage} | {r.account for r in self})

    @property
    def regions(self) -> list[str]:
        return sorted({c.region for c in self.coverage} | {r.region for r in self})

    def is_clean(self, account: str, region: str, resource_type: str) -> bool:
        """True when the scope was covered and no error touched it."""
        covered = Coverage(account, region, resource_type) in self.coverage
        return covered and not any(e.covers(account, region, resource_type) for e in self.errors)

    def errors_for(self, resource_type: str) -> list[ScanError]:
        """Scope-wide errors (not per-resource ones) that touch a resource type."""
        return [
            e for e in self.errors if not e.partial and (not e.resource_types or resource_type in e.resource_types)
        ]

    def __iter__(self) -> Iterator[Resource]:
        for rs in self._by_type.values():
            yield from rs

    def __len__(self) -> int:
        return len(self._by_key)
