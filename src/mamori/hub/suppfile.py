"""The suppressions file kept in git (``mamori-suppressions.yaml``), validated with file and line in errors.

    version: 1
    suppressions:
      - id: ci-logs-public                 # optional; default: a hash of the selector
        rule: s3_bucket_public_via_acl     # selectors: rule, account, region, resource, finding, tags
        account: "123456789012"
        resource: ci-logs                  # exact: never matches ci-logs-replica
        reason: Public by design - build logs of the open-source CI
        approver: alice@example.com
        expires: 2026-12-31                # a date (end of that day, UTC) or an ISO datetime

Entries stored from a file have ``origin = file:<path>``; removing an entry from the file
removes the suppression on the next sync (its findings reopen).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mamori.errors import InputError
from mamori.model.suppression import Selector, Suppression, SuppressionId
from mamori.safeload import compose_yaml


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._:-]{1,64}$")
    rule: str | None = None
    account: str | None = None
    region: str | None = None
    resource: str | None = None
    finding: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    reason: str = Field(min_length=3)
    approver: str = Field(min_length=1)
    expires: datetime | date

    @field_validator("account", mode="before")
    @classmethod
    def _account_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @model_validator(mode="after")
    def _has_selector(self) -> _Entry:
        if not (self.rule or self.account or self.region or self.resource or self.finding or self.tags):
            raise ValueError("needs at least one selector: rule, account, region, resource, finding or tags")
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    suppressions: list[_Entry] = Field(default_factory=list)


def expiry(value: datetime | date) -> datetime:
    """A date means the end of that day in UTC; a naive datetime is UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(23, 59, 59), tzinfo=UTC)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> str | None:
    """Walk the composed YAML node along a pydantic error location; 'line:col' of the deepest hit."""
    found = node.start_mark if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        found = node.start_mark
    return f"{found.line + 1}:{found.column + 1}" if found else None


def load_suppressions_file(path: Path, *, now: datetime | None = None) -> list[Suppression]:
    now = now or datetime.now(UTC)
    src = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the suppressions file: {exc.strerror or exc}", source=src) from exc
    node, construct = compose_yaml(raw, source=src)  # bounded: aliases, depth, dates, NUL, duplicate keys
    data = (construct(node) if node is not None else None) or {}
    if not isinstance(data, dict):
        raise InputError("the suppressions file must be a mapping with a `suppressions:` list", source=src)
    try:
        doc = _File.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if p not in ("datetime", "date"))
        path_txt = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        where = _line_of(node, loc)
        raise InputError(f"{path_txt}: {err['msg']}", source=src, where=where) from exc
    out: list[Suppression] = []
    seen: dict[str, int] = {}
    for i, e in enumerate(doc.suppressions):
        sel = Selector(rule_id=e.rule, account=e.account, region=e.region, resource_id=e.resource, finding_id=e.finding, tags=e.tags)
        sid = e.id or f"file-{sel.digest()}"
        if sid in seen:
            where = _line_of(node, ("suppressions", i))
            raise InputError(f"suppressions[{i}]: duplicate id or selector {sid!r} (also suppressions[{seen[sid]}])", source=src, where=where)
        seen[sid] = i
        out.append(
            Suppression(
                id=SuppressionId(sid), selector=sel, reason=e.reason.strip(), approver=e.approver, expires_at=expiry(e.expires),
                created_at=now, created_by=e.approver, origin=f"file:{path.name}",
            )
        )  # fmt: skip
    return out
