"""The dependency gate's domain values: ecosystems, packages, vulnerabilities, verdicts.

Frozen, typed, no I/O. Everything the parsers, the advisory sources, the policy and the
output formats exchange is defined here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import NewType

from mamori.model.finding import Severity

VulnId = NewType("VulnId", str)
"""An advisory id as OSV spells it: ``GHSA-jfh8-c2jp-5v3q``, ``CVE-2021-44228``, ``PYSEC-2023-74``."""


class Ecosystem(str, Enum):
    """Package ecosystems, spelled as OSV spells them."""

    PYPI = "PyPI"
    NPM = "npm"
    MAVEN = "Maven"
    GO = "Go"
    CRATES = "crates.io"
    RUBYGEMS = "RubyGems"
    NUGET = "NuGet"
    PACKAGIST = "Packagist"
    HEX = "Hex"
    PUB = "Pub"
    # Operating-system distributions (container images, ``mamori gate image``). OSV names them
    # with the release ("Debian:12", "Alpine:v3.19"); packages carry the base name and the image
    # gate keeps only the advisories' entries of the image's release.
    DEBIAN = "Debian"
    UBUNTU = "Ubuntu"
    ALPINE = "Alpine"
    REDHAT = "Red Hat"
    ROCKY = "Rocky Linux"
    ALMA = "AlmaLinux"

    @classmethod
    def parse(cls, value: str) -> Ecosystem:
        v = value.strip().lower()
        for e in cls:
            if e.value.lower() == v or e.name.lower() == v:
                return e
        known = ", ".join(e.value for e in cls)
        raise ValueError(f"unknown ecosystem {value!r} (one of: {known})")

    @property
    def purl_type(self) -> str:
        return _PURL_TYPES[self]


_PURL_TYPES = {
    Ecosystem.PYPI: "pypi",
    Ecosystem.NPM: "npm",
    Ecosystem.MAVEN: "maven",
    Ecosystem.GO: "golang",
    Ecosystem.CRATES: "cargo",
    Ecosystem.RUBYGEMS: "gem",
    Ecosystem.NUGET: "nuget",
    Ecosystem.PACKAGIST: "composer",
    Ecosystem.HEX: "hex",
    Ecosystem.PUB: "pub",
    Ecosystem.DEBIAN: "deb",
    Ecosystem.UBUNTU: "deb",
    Ecosystem.ALPINE: "apk",
    Ecosystem.REDHAT: "rpm",
    Ecosystem.ROCKY: "rpm",
    Ecosystem.ALMA: "rpm",
}
OS_ECOSYSTEMS = frozenset(
    {Ecosystem.DEBIAN, Ecosystem.UBUNTU, Ecosystem.ALPINE, Ecosystem.REDHAT, Ecosystem.ROCKY, Ecosystem.ALMA}
)
# an SBOM's deb/apk/rpm purl names no OSV release: such components are not audited from a lockfile
PURL_TYPE_TO_ECOSYSTEM = {v: k for k, v in _PURL_TYPES.items() if k not in OS_ECOSYSTEMS}

_PEP503 = re.compile(r"[-_.]+")


def normalize_name(ecosystem: Ecosystem, name: str) -> str:
    """The name under which advisories are looked up (PEP 503 for PyPI; case-folded where the registry is)."""
    if ecosystem is Ecosystem.PYPI:
        return _PEP503.sub("-", name).lower()
    if ecosystem in (Ecosystem.NUGET, Ecosystem.PACKAGIST, Ecosystem.RUBYGEMS):
        return name.lower()
    return name


@dataclass(frozen=True, slots=True)
class Package:
    """One dependency as a lockfile or manifest states it.

    ``version`` is None when the file gives only a range (``requests>=2.0``, ``^1.2``): such a
    package is reported UNPINNED, never audited at a guessed version. ``spec`` keeps the range.
    """

    ecosystem: Ecosystem
    name: str
    version: str | None
    source: str = ""
    line: int | None = None
    spec: str | None = None

    @property
    def pinned(self) -> bool:
        return self.version is not None

    @property
    def lookup_name(self) -> str:
        return normalize_name(self.ecosystem, self.name)

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


class NoticeKind(str, Enum):
    SKIPPED = "skipped"  # a dependency that cannot be audited (a git URL, a local path, an editable)
    UNSUPPORTED = "unsupported"  # an ecosystem or version scheme this gate does not compare
    EXCEPTION_EXPIRED = "exception-expired"
    DATA = "data"  # something about the advisory data (sample data in use, a KEV catalogue missing)


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    message: str
    source: str = ""
    line: int | None = None

    def __str__(self) -> str:
        loc = f"{self.source}:{self.line}: " if self.line else (f"{self.source}: " if self.source else "")
        return f"{loc}{self.message}"


class Verdict(str, Enum):
    """What the gate says about a package or one of its vulnerabilities."""

    BLOCK = "BLOCK"
    FIX_BY = "FIX_BY"
    UNPINNED = "UNPINNED"
    PASS = "PASS"

    @property
    def rank(self) -> int:
        return _VERDICT_RANK[self]


_VERDICT_RANK = {Verdict.PASS: 0, Verdict.UNPINNED: 1, Verdict.FIX_BY: 2, Verdict.BLOCK: 3}


class Rule(str, Enum):
    """Which part of the policy decided a verdict."""

    BANNED = "banned"
    KEV = "kev"
    SEVERITY = "severity"
    CRITICAL_FIXABLE = "critical-fixable"
    DEADLINE_PASSED = "deadline-passed"
    DEADLINE = "deadline"
    NO_DEADLINE = "no-deadline"
    EXCEPTION = "exception"
    VEX = "vex"
    UNPINNED = "unpinned"
    CLEAN = "clean"


@dataclass(frozen=True, slots=True)
class Factor:
    """One input of a risk decision: what it is, its value, where the value came from and as of when.

    ``default`` marks a value mamori assumed because the context was missing (a conservative
    default, never a lowering); ``note`` says why.
    """

    factor: str  # exploitation, exposure, automatable, human-impact, epss, cvss-environmental
    value: str
    source: str
    date: str = ""
    default: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"factor": self.factor, "value": self.value, "source": self.source,
                                  "date": self.date or None}  # fmt: skip
        if self.default:
            out["default"] = True
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True, slots=True)
class Risk:
    """The SSVC Deployer decision for one vulnerability where it runs, and the factors behind it."""

    decision: str  # defer, scheduled, out-of-cycle, immediate
    factors: tuple[Factor, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"decision": self.decision, "factors": [f.as_dict() for f in self.factors]}


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One vulnerability of one package, its advisories' aliases merged (a CVE and its GHSA are one)."""

    id: VulnId
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: Severity | None = None
    score: float | None = None
    vectors: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    published: str | None = None
    exploits: tuple[str, ...] = ()  # public exploit references (OSV type EXPLOIT, exploit-db, ...)
    risk: Risk | None = None  # set by mamori.gate.deps.risk.attach_risk

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(sorted(i for i in self.ids if i.upper().startswith("CVE-")))


@dataclass(frozen=True, slots=True)
class VulnDecision:
    vulnerability: Vulnerability
    verdict: Verdict
    rule: Rule
    reason: str
    first_seen: datetime | None = None
    deadline: date | None = None
    vex_status: str | None = None  # not_affected, affected, fixed, under_investigation (a VEX statement)
    vex_note: str = ""  # the statement: justification, author, file


@dataclass(frozen=True, slots=True)
class PackageDecision:
    """The verdict on one (ecosystem, name, version): the worst of its vulnerabilities' verdicts."""

    package: Package
    verdict: Verdict
    rule: Rule
    reason: str
    sources: tuple[str, ...] = ()
    deadline: date | None = None
    upgrade_to: str | None = None
    vulns: tuple[VulnDecision, ...] = ()
    upgrade_note: str | None = None  # set when vulnerable and no known version clears every advisory


@dataclass(frozen=True)
class DepsReport:
    """The gate's whole answer for one run: decisions, notices, and input errors."""

    project: str
    team: str
    commit: str | None
    generated_at: datetime
    root: str
    data_source: str
    policy_source: str | None
    packages: tuple[PackageDecision, ...] = ()
    notices: tuple[Notice, ...] = ()
    errors: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    data_sources: tuple[tuple[str, str, str], ...] = ()  # (source, date, detail): the cache's sources

    @property
    def blocked(self) -> bool:
        return any(p.verdict is Verdict.BLOCK for p in self.packages)

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read (the audit is incomplete), 1 when blocked, else 0."""
        if self.errors:
            return 2
        return 1 if self.blocked else 0

    def counts(self) -> dict[str, int]:
        out = {v.value: 0 for v in Verdict}
        for p in self.packages:
            out[p.verdict.value] += 1
        out["packages"] = len(self.packages)
        out["vulnerable"] = sum(1 for p in self.packages if p.vulns)
        out["vulnerabilities"] = sum(len(p.vulns) for p in self.packages)
        return out
