"""The image gate's values: packages found in an image, secrets found in its layers, the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from mamori.gate.deps.model import DepsReport, Ecosystem, Package, PackageDecision, Verdict
from mamori.gate.image.distro import OsInfo
from mamori.model.finding import Severity


@dataclass(frozen=True, slots=True)
class ImagePackage:
    """One installed package: where it is (layer, file) and under which name advisories know it."""

    ecosystem: Ecosystem
    name: str
    version: str
    layer: int
    path: str
    osv_ecosystem: str  # "Debian:12", "PyPI"
    os_package: bool = False
    source_name: str | None = None  # Debian/Ubuntu source package, Alpine origin, rpm source rpm name
    source_version: str | None = None
    arch: str | None = None

    @property
    def lookup(self) -> Package:
        """The package as advisories name it (Debian and Alpine advisories name the source package)."""
        if self.ecosystem in (Ecosystem.DEBIAN, Ecosystem.UBUNTU, Ecosystem.ALPINE):
            name, version = self.source_name or self.name, self.source_version or self.version
        else:
            name, version = self.name, self.version
        return Package(self.ecosystem, name, version, f"layer {self.layer}: {self.path}")


@dataclass(frozen=True, slots=True)
class LayerInfo:
    index: int
    digest: str
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class ImageSecret:
    """A secret in a layer's file. ``redacted`` only: the secret itself is never kept."""

    detector: str
    title: str
    severity: Severity
    layer: int
    layer_digest: str
    path: str
    line: int
    column: int
    fingerprint: str
    redacted: str
    removed_in_layer: int | None = None  # a later layer deleted or replaced the file: still in the image

    @property
    def in_final_filesystem(self) -> bool:
        return self.removed_in_layer is None


@dataclass(frozen=True, slots=True)
class PackageResult:
    package: ImagePackage
    decision: PackageDecision


@dataclass(frozen=True)
class ImageReport:
    source: str
    format: str
    digest: str | None
    config_digest: str | None
    tags: tuple[str, ...]
    platform: str | None
    os: OsInfo | None
    osv_ecosystem: str | None
    layers: tuple[LayerInfo, ...]
    packages: tuple[PackageResult, ...]
    secrets: tuple[ImageSecret, ...]
    deps: DepsReport  # the decisions as the dependency gate makes them (one per advisory name)
    notices: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)
    #: secrets a baseline, an allowlist entry or a gitleaks allowlist silences: (secret, by, reason)
    suppressed_secrets: tuple[tuple[ImageSecret, str, str], ...] = ()
    run_id: str | None = None  # the stored run (first-seen dates), None with --no-store / --no-record
    #: where the image runs, as the risk's exposure factor reads it: exposure, source, date, note, default
    runs_on: dict[str, object] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return bool(self.secrets) or any(p.decision.verdict is Verdict.BLOCK for p in self.packages)

    @property
    def exit_code(self) -> int:
        """2 when a package database or lockfile could not be read, 1 when blocked, else 0."""
        if self.errors:
            return 2
        return 1 if self.blocked else 0

    def counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in Verdict}
        for p in self.packages:
            out[p.decision.verdict.value] += 1
        out["packages"] = len(self.packages)
        out["vulnerable"] = sum(1 for p in self.packages if p.decision.vulns)
        out["vulnerabilities"] = sum(len(p.decision.vulns) for p in self.packages)
        out["secrets"] = len(self.secrets)
        return out
