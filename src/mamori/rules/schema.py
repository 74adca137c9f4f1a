"""The rule model: metadata validated by pydantic, conditions compiled once."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mamori.model.finding import Severity


class GuardrailKind(StrEnum):
    PREVENTIVE = "preventive"
    DETECTIVE = "detective"
    AUTO_REMEDIATING = "auto-remediating"


class RuleSpec(BaseModel):
    """What a rule file holds. ``id`` must equal the file name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    title: str = Field(min_length=5)
    severity: Severity
    resource_type: str = Field(pattern=r"^[a-z0-9]+(\.[a-z0-9_]+)+$")
    rationale: str = Field(min_length=10)
    remediation: str = Field(min_length=10)
    controls: dict[str, list[str]] = Field(default_factory=dict)
    guardrail: GuardrailKind = GuardrailKind.DETECTIVE
    params: dict[str, Any] = Field(default_factory=dict)
    applies_when: dict[str, Any] | None = None
    fail_when: dict[str, Any]
    evidence: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    live_only: str | None = None
    """Why the rule can only be decided on a live account (credential report, usage, region-wide
    settings): `mamori gate iac` skips it. None = it is evaluated on IaC too."""

    @field_validator("severity", mode="before")
    @classmethod
    def _sev(cls, v: Any) -> Any:
        return Severity.parse(v) if isinstance(v, str) else v

    @property
    def service(self) -> str:
        parts = self.resource_type.split(".")
        if len(parts) < 2:
            return parts[0]
        return parts[1] if parts[0] == "aws" else f"{parts[0]}-{parts[1]}"  # gcp-compute beside ec2

    @property
    def baseline(self) -> list[str]:
        return self.controls.get("baseline", [])
