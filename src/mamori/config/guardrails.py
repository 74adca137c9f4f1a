"""The ``guardrails:`` section of ``mamori.yaml``: modes per rule and account, exemptions.

::

    guardrails:
      default_mode: manual            # detect | manual | auto (default: manual)
      rules:
        s3_bucket_public_access_block_off:
          mode: auto                  # applied after each `mamori scan --remediate`
          accounts: {"210987654321": manual}   # per-account override
        ec2_security_group_admin_port_open_ipv4:
          params: {ports: [22, 3389, 5432]}    # the action's parameters
      exemptions:
        - rule: s3_bucket_public_access_block_off
          account: "123456789012"
          resource: acme-public-website        # resource id or ARN, matched exactly
          reason: static website served straight from the bucket
          approver: security@acme.example
          expires: 2026-12-31                  # the exemption ends after this day (UTC)

Modes: ``detect`` notifies only (mamori never changes the resource, not even on a
human's request); ``manual`` plans and waits for a human to apply; ``auto`` applies after
each scan with ``--remediate``. Plans (``mamori remediate plan``) work in every mode: they
are the impact report to read before switching a rule to ``auto``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mamori.config.preventive import PreventiveConfig


class Mode(StrEnum):
    DETECT = "detect"
    MANUAL = "manual"
    AUTO = "auto"


def account_id(value: Any) -> Any:
    """YAML reads an unquoted account id as an int (dropping leading zeros): give back the 12 digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(12)
    return value


class Exemption(BaseModel):
    """A decided exception: this rule may fail on this resource until ``expires``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1)
    account: str = Field(min_length=1)
    resource: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    approver: str = Field(min_length=1)
    expires: date

    _acct = field_validator("account", mode="before")(account_id)

    def active(self, now: datetime | None = None) -> bool:
        today = (now or datetime.now(UTC)).astimezone(UTC).date()
        return today <= self.expires

    def matches(self, rule: str, account: str, resource_id: str, arn: str = "") -> bool:
        return self.rule == rule and self.account == account and self.resource in {resource_id, arn} - {""}

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class RuleGuardrail(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode | None = None
    accounts: dict[str, Mode] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("accounts", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        return {account_id(k): m for k, m in v.items()} if isinstance(v, dict) else v


class GuardrailsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_mode: Mode = Mode.MANUAL
    rules: dict[str, RuleGuardrail] = Field(default_factory=dict)
    exemptions: list[Exemption] = Field(default_factory=list)
    verify_attempts: int = Field(default=3, ge=1, le=20)
    """Re-reads after a change before it counts as unverified (AWS is eventually consistent)."""
    verify_delay_seconds: float = Field(default=2.0, ge=0, le=60)
    preventive: PreventiveConfig = Field(default_factory=PreventiveConfig)
    """SCPs and detective guardrails deployed across the organisation (config/preventive.py)."""

    def mode_for(self, rule: str, account: str) -> Mode:
        """Most specific first: rule and account, then the rule, then ``default_mode``."""
        rg = self.rules.get(rule)
        if rg is not None:
            if account in rg.accounts:
                return rg.accounts[account]
            if rg.mode is not None:
                return rg.mode
        return self.default_mode

    def params_for(self, rule: str) -> dict[str, Any]:
        rg = self.rules.get(rule)
        return dict(rg.params) if rg else {}

    def exemption_for(self, rule: str, account: str, resource_id: str, arn: str = "", *, now: datetime | None = None) -> tuple[Exemption | None, Exemption | None]:
        """(the active exemption, an expired one) matching this resource exactly."""
        active = expired = None
        for e in self.exemptions:
            if e.matches(rule, account, resource_id, arn):
                if e.active(now):
                    active = active or e
                else:
                    expired = expired or e
        return active, expired
