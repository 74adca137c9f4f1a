"""The ``access:`` section of ``mamori.yaml``: who approves just-in-time access, how many, how long.

::

    access:
      mode: identity_center              # or sts: short credentials for a per-grant role
      approvers: [alice, bob]             # mamori actors (server user names) who may approve
      approvals_required: 1
      max_duration: 4h                    # 15m, 1h, 1d ...
      identity_center:
        region: us-east-1
        instance_arn: null                # default: the only instance ListInstances returns
      sts:
        role_name: "mamori-jit-{permission_set}"   # in each requested account
      notify: [security-webhook]          # requests and break-glass pages (log, or notifications.channels)
      base_url: https://mamori.internal   # where `mamori serve` is: notifications carry one-click approve links
      permission_sets:                    # stricter rules for some permission sets
        AdministratorAccess: {approvers: [carol], approvals_required: 2, max_duration: 1h}
      account_groups:                     # ... and for the accounts of a top-level account group
        prod: {approvals_required: 2}

A request is held to every policy that applies to it: the permission set's and those of
each account group holding one of its accounts. ``approvals_required`` is the largest of
them, ``max_duration`` the shortest, and an approver must be listed by every policy that
lists approvers (none listing any: the top-level ``approvers``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DURATION = re.compile(r"^(\d{1,5})([mhd])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400}
MAX_DURATION = timedelta(days=7)


def parse_duration(value: str) -> timedelta:
    """``15m``, ``1h``, ``2d`` -> a timedelta (at least 1 minute, at most 7 days)."""
    m = _DURATION.match(str(value).strip().lower())
    if not m:
        raise ValueError(f"{value!r} is not a duration such as 15m, 1h or 1d")
    d = timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
    if d < timedelta(minutes=1) or d > MAX_DURATION:
        raise ValueError(f"{value!r} is not between 1m and 7d")
    return d


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_duration(v: str | None) -> str | None:
    if v is not None:
        parse_duration(v)
    return v


class AccessPolicy(_Model):
    approvers: list[str] | None = None
    approvals_required: int | None = Field(default=None, ge=1, le=10)
    max_duration: str | None = None

    _dur = field_validator("max_duration")(_check_duration)


class IdentityCenterSettings(_Model):
    region: str = "us-east-1"
    instance_arn: str | None = None


class StsSettings(_Model):
    role_name: str = "mamori-jit-{permission_set}"

    @field_validator("role_name")
    @classmethod
    def _role(cls, v: str) -> str:
        if not re.fullmatch(r"[\w+=,.@{}-]{1,64}", v):
            raise ValueError(f"{v!r} is not an IAM role name (placeholders: {{permission_set}}, {{account}})")
        return v


@dataclass(frozen=True)
class EffectivePolicy:
    approvers: tuple[str, ...]
    approvals_required: int
    max_duration: timedelta


class AccessConfig(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, regex_engine="python-re")  # base_url's [^\s]{1,200}: see QuarantineParams
    mode: Literal["identity_center", "sts"] = "identity_center"
    approvers: list[str] = Field(default_factory=list)
    approvals_required: int = Field(default=1, ge=1, le=10)
    max_duration: str = "4h"
    identity_center: IdentityCenterSettings = Field(default_factory=IdentityCenterSettings)
    sts: StsSettings = Field(default_factory=StsSettings)
    notify: list[str] = Field(default_factory=lambda: ["log"])
    base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]{1,200}$")
    permission_sets: dict[str, AccessPolicy] = Field(default_factory=dict)
    account_groups: dict[str, AccessPolicy] = Field(default_factory=dict)

    _dur = field_validator("max_duration")(_check_duration)

    def policy_for(
        self, permission_set: str, accounts: Iterable[str], groups: dict[str, list[str]] | None = None
    ) -> EffectivePolicy:
        """The policy a request for ``permission_set`` in ``accounts`` is held to (see the module doc)."""
        accts = set(accounts)
        scopes: list[AccessPolicy] = []
        if permission_set in self.permission_sets:
            scopes.append(self.permission_sets[permission_set])
        for name, pol in self.account_groups.items():
            if accts & set((groups or {}).get(name, ())):
                scopes.append(pol)
        required = max([self.approvals_required, *(s.approvals_required for s in scopes if s.approvals_required)])
        durations = [parse_duration(self.max_duration), *(parse_duration(s.max_duration) for s in scopes if s.max_duration)]
        listing = [set(s.approvers) for s in scopes if s.approvers is not None]
        if listing:
            allowed = set.intersection(*listing)
        else:
            allowed = set(self.approvers)
        return EffectivePolicy(tuple(sorted(allowed)), required, min(durations))
