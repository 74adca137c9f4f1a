"""``.mamori-secrets.yaml``: custom detectors, disabled detectors, path excludes, allowlist.

Validated with pydantic; every error names the file and the line (taken from the YAML node
the failing field came from), e.g. ``.mamori-secrets.yaml:7: detectors[0].regex: ...``.

    version: 1
    exclude: ["tests/fixtures/**"]          # fnmatch globs on repo-relative paths
    disable: [generic-password]             # built-in detector ids to switch off
    baseline: .mamori-secrets-baseline.json
    detectors:
      - id: acme-token
        title: ACME API token
        regex: 'acme_[A-Za-z0-9]{32}'        # a (?P<secret>...) group narrows the secret
        keywords: [acme_]                    # literal prefilter; without it the regex runs on every block
        severity: high
        min_entropy: 3.0
    allowlist:                               # exact matches only, each with a reason and an expiry
      - fingerprint: 9c1e0d4b...
        reason: revoked test key kept for a regression test
        expires: 2026-12-31
        approver: security@example.com
      - path: tests/fixtures/server.key
        detector: private-key-rsa
        reason: throwaway key for TLS tests
        expires: 2027-06-30
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import Category, Detector, DetectorId
from mamori.model.finding import Severity

CONFIG_NAME = ".mamori-secrets.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomDetector(_Strict):
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

    def build(self) -> Detector:
        return Detector(
            id=DetectorId(self.id),
            title=self.title or self.id,
            severity=self.severity,
            category=Category.CUSTOM,
            regex=re.compile(self.regex.encode()),
            keywords=tuple(k.lower().encode() for k in self.keywords),
            min_entropy=self.min_entropy,
        )


class AllowEntry(_Strict):
    """One exact suppression: a fingerprint, or a path (optionally narrowed to one detector)."""

    fingerprint: str | None = None
    path: str | None = None
    detector: str | None = None
    reason: str = Field(min_length=3)
    expires: date
    approver: str | None = None

    @model_validator(mode="after")
    def _target(self) -> AllowEntry:
        if not self.fingerprint and not self.path:
            raise ValueError("an allowlist entry needs a fingerprint or a path")
        return self

    def matches(self, fp: str, path: str, detector: str) -> bool:
        if self.fingerprint is not None and self.fingerprint != fp:
            return False
        if self.path is not None and self.path != path:
            return False
        return self.detector is None or self.detector == detector

    def expired(self, today: date) -> bool:
        return self.expires < today

    @property
    def label(self) -> str:
        what = self.fingerprint or f"{self.path}" + (f" [{self.detector}]" if self.detector else "")
        return f"{what} (expired {self.expires.isoformat()})"


class SecretsConfig(_Strict):
    version: int = 1
    exclude: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)
    baseline: str | None = None
    engine: str | None = None
    max_line_length: int = Field(default=4096, ge=256, le=1 << 20)
    detectors: list[CustomDetector] = Field(default_factory=list)
    allowlist: list[AllowEntry] = Field(default_factory=list)

    @field_validator("disable")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = [d for d in v if d not in REGISTRY]
        if unknown:
            raise ValueError(f"unknown detector id(s): {', '.join(unknown)}")
        return v

    @model_validator(mode="after")
    def _unique(self) -> SecretsConfig:
        ids = [d.id for d in self.detectors]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"detector id(s) defined twice: {', '.join(dupes)}")
        return self

    def active_detectors(self) -> list[Detector]:
        off = set(self.disable)
        return [d for d in REGISTRY.values() if d.id not in off] + [c.build() for c in self.detectors]


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


def parse_config(text: str, source: str) -> SecretsConfig:
    """Validate YAML text; errors name ``source`` and the line."""
    try:
        data: Any = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = str(mark.line + 1) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SecretsConfigError(f"not valid YAML: {problem}", source=source, where=where) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SecretsConfigError("the top level must be a mapping", source=source, where="1")
    try:
        return SecretsConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = _node_line(node, loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SecretsConfigError(
            f"{_loc_text(loc)}: {msg}{more}", source=source, where=str(line) if line else None
        ) from None


def load_config(path: Path | None, search_dir: Path | None = None) -> tuple[SecretsConfig, Path | None]:
    """Load ``path``, or ``.mamori-secrets.yaml`` in ``search_dir`` if present, else defaults."""
    if path is None and search_dir is not None and (search_dir / CONFIG_NAME).is_file():
        path = search_dir / CONFIG_NAME
    if path is None:
        return SecretsConfig(), None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretsConfigError(f"cannot read: {exc.strerror}", source=str(path)) from None
    return parse_config(text, str(path)), path
