"""The ``guardrails: preventive:`` section of ``mamori.yaml``: what `mamori guardrails scp|deploy` generate.

::

    guardrails:
      preventive:
        allowed_regions: [ap-northeast-1, us-east-1]   # deny every other Region (global services excepted)
        protect_role_pattern: "mamori-*"               # mamori's roles, stacks and rules: only break-glass changes them
        break_glass_role: arn:aws:iam::*:role/break-glass   # exempt from the denies (ARN, wildcards allowed)
        stackset_regions: [ap-northeast-1, us-east-1]  # where the detective guardrails go (default: allowed_regions)
        central_region: us-east-1                      # the central event bus and queue
        config_recorder: false                         # also deploy an AWS Config recorder everywhere
        impact_days: 30                                # the impact report's window
        member_role: OrganizationAccountAccessRole     # role `drift` assumes to read member accounts' rules

Command-line options override these (docs/guardrails.md).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_ROLE_PATTERN = re.compile(r"^[A-Za-z0-9+=,.@_*?-]{1,64}$")
_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|\*):role/[A-Za-z0-9+=,.@_*?/-]{1,512}$")


def check_region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"{value!r} is not an AWS Region name (like eu-west-1)")
    return value


def check_role_pattern(value: str) -> str:
    if not _ROLE_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a role name pattern (letters, digits, +=,.@_- and * or ?)")
    return value


def check_role_arn(value: str) -> str:
    if not _ARN.match(value):
        raise ValueError(f"{value!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME; * allowed)")
    return value


class PreventiveConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_regions: list[str] = Field(default_factory=list)
    protect_role_pattern: str = "mamori-*"
    break_glass_role: str | None = None
    stackset_regions: list[str] = Field(default_factory=list)
    central_region: str = "us-east-1"
    config_recorder: bool = False
    impact_days: int = Field(default=30, ge=1, le=366)
    member_role: str = "OrganizationAccountAccessRole"

    @field_validator("allowed_regions", "stackset_regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        return [check_region(r) for r in v]

    @field_validator("central_region")
    @classmethod
    def _region(cls, v: str) -> str:
        return check_region(v)

    @field_validator("protect_role_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        return check_role_pattern(v)

    @field_validator("break_glass_role")
    @classmethod
    def _arn(cls, v: str | None) -> str | None:
        return None if v is None else check_role_arn(v)
