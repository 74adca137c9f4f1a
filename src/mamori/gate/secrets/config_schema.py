"""The schema of ``.mamori-secrets.yaml`` (pydantic), imported only when such a file exists.

Validates the YAML and names the file and the line of any error, e.g.
``.mamori-secrets.yaml:7: detectors[0].regex: ...``; the result is the plain
`mamori.gate.secrets.config.SecretsConfig`, so a scan without a config file (a pre-commit hook
in most repositories) never imports pydantic or PyYAML.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mamori.gate.secrets import config as plain
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.model.finding import Severity

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomDetectorSchema(_Strict):
    id: str
    title: str = ""
    regex: str
    keywords: list[str] = Field(default_factory=list)
    severity: Severity = Severity.HIGH
    min_entropy: float | None = Field(default=None, ge=0, le=8)

    @field_validator("id")
    @classmethod
    def _id_ok(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("must be lowercase letters, digits and dashes (2-64 characters)")
        if v in REGISTRY:
            raise ValueError(f"{v!r} is a built-in detector id; pick another")
        return v

    @field_validator("regex")
    @classmethod
    def _regex_ok(cls, v: str) -> str:
        try:
            rx = re.compile(v.encode())
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        if rx.match(b""):
            raise ValueError("the regular expression matches the empty string")
        return v

    @field_validator("keywords")
    @classmethod
    def _keywords_ok(cls, v: list[str]) -> list[str]:
        if any(not k.strip() for k in v):
            raise ValueError("keywords must be non-empty literals")
        return v

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, v: object) -> object:
        return Severity.parse(v) if isinstance(v, str) else v

    def plain(self) -> plain.CustomDetector:
        return plain.CustomDetector(
            id=self.id,
            title=self.title,
            regex=self.regex,
            keywords=tuple(self.keywords),
            severity=self.severity,
            min_entropy=self.min_entropy,
        )


class AllowEntrySchema(_Strict):
    fingerprint: str | None = None
    path: str | None = None
    detector: str | None = None
    reason: str = Field(min_length=3)
    expires: date
    approver: str | None = None

    @model_validator(mode="after")
    def _target(self) -> AllowEntrySchema:
        if not self.fingerprint and not self.path:
            raise ValueError("an allowlist entry needs a fingerprint or a path")
        return self

    def plain(self) -> plain.AllowEntry:
        return plain.AllowEntry(
            fingerprint=self.fingerprint,
            path=self.path,
            detector=self.detector,
            reason=self.reason,
            expires=self.expires,
            approver=self.approver,
        )


class SecretsConfigSchema(_Strict):
    version: int = 1
    exclude: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)
    baseline: str | None = None
    engine: str | None = None
    max_line_length: int = Field(default=plain.DEFAULT_MAX_LINE, ge=256, le=1 << 20)
    detectors: list[CustomDetectorSchema] = Field(default_factory=list)
    allowlist: list[AllowEntrySchema] = Field(default_factory=list)

    @field_validator("disable")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = [d for d in v if d not in REGISTRY]
        if unknown:
            raise ValueError(f"unknown detector id(s): {', '.join(unknown)}")
        return v

    @model_validator(mode="after")
    def _unique(self) -> SecretsConfigSchema:
        ids = [d.id for d in self.detectors]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"detector id(s) defined twice: {', '.join(dupes)}")
        return self

    def plain(self) -> plain.SecretsConfig:
        return plain.SecretsConfig(
            version=self.version,
            exclude=tuple(self.exclude),
            disable=tuple(self.disable),
            baseline=self.baseline,
            engine=self.engine,
            max_line_length=self.max_line_length,
            detectors=tuple(d.plain() for d in self.detectors),
            allowlist=tuple(a.plain() for a in self.allowlist),
        )


def _loc_text(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    if node is None:
        return None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    node = v
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def parse(text: str, source: str) -> plain.SecretsConfig:
    """Validate YAML text; errors name ``source`` and the line."""
    from mamori.safeload import compose_yaml  # bounded: aliases, depth, dates, NUL, duplicate keys

    node, construct = compose_yaml(text, source=source, error=SecretsConfigError)
    data: Any = construct(node) if node is not None else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SecretsConfigError("the top level must be a mapping", source=source, where="1")
    try:
        return SecretsConfigSchema.model_validate(data).plain()
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = _node_line(node, loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SecretsConfigError(
            f"{_loc_text(loc)}: {msg}{more}", source=source, where=str(line) if line else None
        ) from None
