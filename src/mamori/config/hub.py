"""The hub's sections of ``mamori.yaml``: owners, sla, notifications, suppressions_file. All optional.

    owners:
      default: security                    # who owns what nothing else maps
      accounts: {"123456789012": platform-sre}
      tags:                                # first match wins; tags win over accounts
        - {key: team}                      # owner = the value of the resource's `team` tag
        - {key: app, value: payments, owner: payments-dev}
    sla: {critical: 7, high: 30, medium: 90, low: 180}   # days from first_seen; null = no SLA
    suppressions_file: mamori-suppressions.yaml           # relative to mamori.yaml
    notifications:
      channels:
        sec-slack: {type: slack, url_env: SLACK_WEBHOOK_URL, rate_per_minute: 20}
        sre-mail: {type: email, host: smtp.internal, port: 25, sender: mamori@example.com, to: [sre@example.com]}
        siem: {type: webhook, url: https://siem.example.com/hook, secret_env: MAMORI_WEBHOOK_SECRET}
      routes:                              # no routes: every channel gets every finding
        - {channels: [sec-slack], min_severity: high}
        - {channels: [sre-mail], owners: [platform-sre], accounts: ["123456789012"]}
      retry: {attempts: 3, backoff_s: 1.0, max_total_attempts: 10}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mamori.model.finding import Severity


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class OwnerTagRule(_Model):
    key: str
    value: str | None = None
    owner: str | None = None


class OwnersConfig(_Model):
    default: str = "security"
    accounts: dict[str, str] = Field(default_factory=dict)
    tags: list[OwnerTagRule] = Field(default_factory=list)


class SlaConfig(_Model):
    critical: int | None = 7
    high: int | None = 30
    medium: int | None = 90
    low: int | None = 180
    informational: int | None = None

    def days(self, severity: Severity) -> int | None:
        d: int | None = getattr(self, severity.value)
        return d


class ChannelConfig(_Model):
    type: Literal["slack", "email", "webhook", "log", "memory"]
    url: str | None = None
    url_env: str | None = None
    secret_env: str | None = None
    host: str | None = None
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None
    sender: str | None = Field(default=None, alias="from")
    to: list[str] = Field(default_factory=list)
    timeout: float = 10.0
    rate_per_minute: float | None = None
    max_per_hour: int | None = None

    @model_validator(mode="after")
    def _complete(self) -> ChannelConfig:
        if self.type in ("slack", "webhook") and not (self.url or self.url_env):
            raise ValueError(f"a {self.type} channel needs url or url_env")
        if self.type == "email" and not (self.host and self.sender and self.to):
            raise ValueError("an email channel needs host, sender (or from) and to")
        return self


class RouteConfig(_Model):
    channels: list[str]
    min_severity: str | None = None
    severities: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    owners: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @field_validator("min_severity")
    @classmethod
    def _sev(cls, v: str | None) -> str | None:
        return Severity.parse(v).value if v else None

    @field_validator("severities")
    @classmethod
    def _sevs(cls, v: list[str]) -> list[str]:
        return [Severity.parse(s).value for s in v]


class RetryConfig(_Model):
    attempts: int = Field(default=3, ge=1, le=10)
    backoff_s: float = Field(default=1.0, ge=0)
    max_total_attempts: int = Field(default=10, ge=1)


class NotificationsConfig(_Model):
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    routes: list[RouteConfig] = Field(default_factory=list)
    retry: RetryConfig = Field(default_factory=RetryConfig)

    @model_validator(mode="after")
    def _known_channels(self) -> NotificationsConfig:
        for i, r in enumerate(self.routes):
            for c in r.channels:
                if c not in self.channels:
                    raise ValueError(f"routes[{i}] names unknown channel {c!r} (known: {', '.join(sorted(self.channels)) or 'none'})")
        return self




class HubSettings(_Model):
    """What the findings hub receives: its three sections of ``mamori.yaml``, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owners: OwnersConfig = Field(default_factory=OwnersConfig)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
