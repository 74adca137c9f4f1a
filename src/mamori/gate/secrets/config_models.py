"""The pydantic schema of ``.mamori-secrets.yaml``: the reference validation and its error messages.

`config_schema.parse` validates a config with plain checks first and comes here only for what
those checks do not accept outright (an error to report, or a value pydantic would coerce), so a
scan of a repository with an ordinary config file does not import pydantic (~0.15 s).
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mamori.gate.secrets import config as plain
from mamori.gate.secrets.detectors import REGISTRY
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


