"""The dependency policy (``mamori-policy.yaml``): what blocks now, what gets a deadline.

Order of decision for each vulnerability of a package:

1. an active exception (matching id, and package/version when given) -> PASS;
2. its id or an alias is banned (``block.ids``) -> BLOCK;
3. a CVE alias is in CISA's KEV catalogue (``block.kev``) -> BLOCK;
4. severity critical and a fixed version exists (``block.critical_with_fix``, on by
   default) -> BLOCK;
5. severity at or above ``block.severity_at_least`` or CVSS at or above
   ``block.cvss_at_least`` -> BLOCK;
6. otherwise a fix-by deadline: first seen + ``fix_by.<severity>`` days -> FIX_BY, or
   BLOCK once the deadline has passed; a severity whose days are null has no deadline (PASS).

See docs/deps.md for the reference and an example.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mamori.gate.deps.errors import PolicyError
from mamori.gate.deps.model import Ecosystem, normalize_name
from mamori.gate.deps.severity import word
from mamori.gate.deps.yaml_lines import line_of
from mamori.gate.deps.yaml_lines import load as load_yaml
from mamori.model.finding import Severity

POLICY_NAMES = ("mamori-policy.yaml", "mamori-policy.yml")
_STRICT = ConfigDict(frozen=True, extra="forbid")


class BlockRules(BaseModel):
    model_config = _STRICT

    ids: tuple[str, ...] = ()
    kev: bool | None = None
    kev_catalog: str | None = None
    severity_at_least: Severity | None = None
    cvss_at_least: float | None = Field(default=None, ge=0.0, le=10.0)
    unpinned: bool = False
    # the brief: a forbidden security risk stops the pipeline. A critical vulnerability with a
    # fixed version is one: the fix exists, shipping the vulnerable version is a choice.
    critical_with_fix: bool = True

    @field_validator("severity_at_least", mode="before")
    @classmethod
    def _severity(cls, v: Any) -> Any:
        if isinstance(v, str):
            sev = word(v)
            if sev is None:
                raise ValueError(f"unknown severity {v!r} (critical, high, medium, low)")
            return sev
        return v


class FixBy(BaseModel):
    """Days to fix, counted from the first time the vulnerability was seen in the project."""

    model_config = _STRICT

    critical: int | None = Field(default=7, ge=0)
    high: int | None = Field(default=30, ge=0)
    medium: int | None = Field(default=90, ge=0)
    low: int | None = Field(default=180, ge=0)
    informational: int | None = Field(default=None, ge=0)
    unknown: int | None = Field(default=90, ge=0)

    def days(self, severity: Severity | None) -> int | None:
        return self.unknown if severity is None else getattr(self, severity.value)


class PolicyException(BaseModel):
    """An accepted risk: decided by security, with a reason, an approver and an expiry."""

    model_config = _STRICT

    id: str = Field(min_length=1)
    ecosystem: Ecosystem | None = None
    package: str | None = None
    version: str | None = None
    reason: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    expires: date

    @field_validator("ecosystem", mode="before")
    @classmethod
    def _eco(cls, v: Any) -> Any:
        return Ecosystem.parse(v) if isinstance(v, str) else v

    def covers(self, ids: frozenset[str], ecosystem: Ecosystem, name: str, version: str | None) -> bool:
        """Exact matches only: the id (or an alias), and the package and version when given."""
        if self.id.upper() not in {i.upper() for i in ids}:
            return False
        if self.ecosystem is not None and self.ecosystem is not ecosystem:
            return False
        if self.package is not None and normalize_name(ecosystem, self.package) != normalize_name(
            ecosystem, name
        ):
            return False
        return self.version is None or self.version == version

    def active(self, today: date) -> bool:
        return today <= self.expires


class Policy(BaseModel):
    model_config = _STRICT

    version: Literal[1] = 1
    project: str | None = None
    team: str | None = None
    block: BlockRules = BlockRules()
    fix_by: FixBy = FixBy()
    exceptions: tuple[PolicyException, ...] = ()

    def banned(self, ids: frozenset[str]) -> list[str]:
        ban = {b.upper() for b in self.block.ids}
        return sorted(i for i in ids if i.upper() in ban)


DEFAULT_POLICY = Policy()


def find_policy(root: Path) -> Path | None:
    base = root if root.is_dir() else root.parent
    for name in POLICY_NAMES:
        if (base / name).is_file():
            if not (base / name).resolve().is_relative_to(base.resolve()):
                raise PolicyError("a symlink to a file outside the scanned directory; not read",
                                  source=str(base / name))  # fmt: skip
            return base / name
    return None


def parse_policy(text: str | bytes, source: str) -> Policy:
    doc, lines = load_yaml(text, source, PolicyError)
    if doc is None:
        return DEFAULT_POLICY
    if not isinstance(doc, dict):
        raise PolicyError("the policy must be a mapping", source=source, where="1")
    try:
        return Policy.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc) or "(document)"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        line = line_of(lines, loc)
        raise PolicyError(
            f"{field}: {first['msg']}{more}", source=source, where=str(line) if line else None
        ) from None


def load_policy(path: Path) -> Policy:
    try:
        data = path.read_bytes()  # UTF-8 is checked by the loader, which names the first bad byte
    except OSError as exc:
        raise PolicyError(f"cannot read the policy: {exc.strerror}", source=str(path)) from None
    return parse_policy(data, str(path))
