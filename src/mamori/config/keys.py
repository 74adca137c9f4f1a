"""The ``keys:`` section of ``mamori.yaml``: the access-key lifecycle policy.

::

    keys:
      warn_days: 80            # notify the owner from this age
      disable_days: 90         # disable (UpdateAccessKey Inactive) at this age
      delete_days: 120         # delete at this age, once the key is inactive ...
      min_inactive_days: 7     # ... and mamori disabled it at least this long ago
      owner_tags: [owner, email]           # tags on the IAM user naming the owner
      owners:                              # or a mapping: user, or account/user
        ci-deployer: platform-team@acme.example
        "210987654321/legacy-batch": finance-it@acme.example
      default_owner: cloud-security@acme.example
      notify: [log, security-webhook]      # "log", or channels named under notifications.channels
      exemptions:
        - access_key_id: AKIAEXAMPLEEXAMPLE01   # or user: <name>
          account: "123456789012"
          reason: vendor appliance cannot rotate until the March upgrade
          approver: security@acme.example
          expires: 2027-03-31
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mamori.config.guardrails import account_id


class KeyExemption(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    access_key_id: str | None = None
    user: str | None = None
    account: str | None = None
    reason: str = Field(min_length=3)
    approver: str = Field(min_length=1)
    expires: date

    _acct = field_validator("account", mode="before")(account_id)

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if not self.access_key_id and not self.user:
            raise ValueError("an exemption names an access_key_id or a user")
        return self

    def active(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)).astimezone(UTC).date() <= self.expires

    def matches(self, account: str, user: str, access_key_id: str) -> bool:
        if self.account and self.account != account:
            return False
        if self.access_key_id:
            return self.access_key_id == access_key_id
        return self.user == user

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class KeysConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    warn_days: int = Field(default=80, ge=1)
    disable_days: int = Field(default=90, ge=1)
    delete_days: int = Field(default=120, ge=1)
    min_inactive_days: int = Field(default=7, ge=0)
    owner_tags: list[str] = Field(default_factory=lambda: ["owner", "email"])
    owners: dict[str, str] = Field(default_factory=dict)
    default_owner: str | None = None
    notify: list[str] = Field(default_factory=lambda: ["log"])
    """Channels: ``log`` (a log line on stderr) or names of ``notifications.channels`` (webhook, Slack, e-mail)."""
    exemptions: list[KeyExemption] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if not self.warn_days <= self.disable_days <= self.delete_days:
            raise ValueError("need warn_days <= disable_days <= delete_days")
        return self

    def exemption_for(self, account: str, user: str, access_key_id: str, *, now: datetime | None = None) -> KeyExemption | None:
        return next((e for e in self.exemptions if e.matches(account, user, access_key_id) and e.active(now)), None)
