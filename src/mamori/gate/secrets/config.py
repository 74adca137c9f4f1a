"""``.mamori-secrets.yaml``: custom detectors, disabled detectors, path excludes, allowlist.

The validated config as plain frozen values. The file's schema and its validation (pydantic and
PyYAML, every error naming the file and the line) are in `config_schema`, imported only when a
config file exists: a scan without one stays light for pre-commit hooks.

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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mamori.gate.secrets import gitleaks as gl
from mamori.gate.secrets.detectors import GITLEAKS, REGISTRY
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import Category, Detector, DetectorId
from mamori.model.finding import Severity

CONFIG_NAME = ".mamori-secrets.yaml"
DEFAULT_MAX_LINE = 4096


@dataclass(frozen=True, slots=True)
class CustomDetector:
    """A detector defined in the config file (validated by `config_schema`)."""

    id: str
    regex: str
    title: str = ""
    keywords: tuple[str, ...] = ()
    severity: Severity = Severity.HIGH
    min_entropy: float | None = None

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


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One exact suppression: a fingerprint, or a path (optionally narrowed to one detector)."""

    reason: str
    expires: date
    fingerprint: str | None = None
    path: str | None = None
    detector: str | None = None
    approver: str | None = None

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


@dataclass(frozen=True, slots=True)
class SecretsConfig:
    """The whole config; the defaults are what a repository without a config file gets."""

    version: int = 1
    exclude: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    baseline: str | None = None
    engine: str | None = None
    max_line_length: int = DEFAULT_MAX_LINE
    detectors: tuple[CustomDetector, ...] = ()
    allowlist: tuple[AllowEntry, ...] = ()
    gitleaks: gl.GitleaksConfig | None = None  # a .gitleaks.toml read alongside (or instead)

    def active_detectors(self) -> list[Detector]:
        off = set(self.disable)
        builtin: list[Detector] = list(REGISTRY.values())
        extra: list[Detector] = []
        if self.gitleaks is not None:
            off |= set(self.gitleaks.disabled)
            if not self.gitleaks.use_default:
                builtin = []
            extra = list(self.gitleaks.detectors)
        custom = [c.build() for c in self.detectors]
        own = {d.id for d in custom} | {d.id for d in extra}
        return [d for d in builtin if d.id not in off and d.id not in own] + custom + extra


def parse_config(text: str, source: str) -> SecretsConfig:
    """Validate YAML text; errors name ``source`` and the line."""
    from mamori.gate.secrets.config_schema import parse  # pydantic and PyYAML: only with a file

    return parse(text, source)


def load_gitleaks(path: Path) -> gl.GitleaksConfig:
    """A gitleaks TOML config; gitleaks' names of built-in formats map to mamori's detectors."""
    return gl.load(path, list(REGISTRY), {k: v for k, v in GITLEAKS.items() if v in REGISTRY})


def load_config(path: Path | None, search_dir: Path | None = None) -> tuple[SecretsConfig, Path | None]:
    """Load ``path`` (YAML, or a gitleaks ``.toml``), else what ``search_dir`` holds, else defaults.

    Without ``path``: ``.mamori-secrets.yaml`` and ``.gitleaks.toml`` in ``search_dir``, both if both exist.
    """
    toml: Path | None = None
    if path is not None and path.suffix.lower() == ".toml":
        toml, path = path, None
        if not toml.is_file():
            raise SecretsConfigError("no such file", source=str(toml))
    elif path is None and search_dir is not None:
        if (search_dir / CONFIG_NAME).is_file():
            path = search_dir / CONFIG_NAME
        if (search_dir / gl.CONFIG_NAME).is_file():
            toml = search_dir / gl.CONFIG_NAME
    config = SecretsConfig()
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SecretsConfigError(f"cannot read: {exc.strerror}", source=str(path)) from None
        config = parse_config(text, str(path))
    if toml is not None:
        import dataclasses

        config = dataclasses.replace(config, gitleaks=load_gitleaks(toml))
    return config, path or toml
