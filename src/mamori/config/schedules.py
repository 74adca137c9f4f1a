"""``schedules:`` in mamori.yaml: jobs ``mamori serve`` runs by itself. All optional; a job runs when listed.

    schedules:
      aws:                                 # how the scan and key jobs reach AWS (default: the credential chain)
        profile: security-audit
        role_arns: [arn:aws:iam::111111111111:role/mamori-read]
        external_id: null
        endpoint_url: null
        regions: [eu-west-1, us-east-1]
      scan: {every: 6h}                    # collect, evaluate, record (add `snapshot: estate.json` to scan a file)
      notify: {every: 15m}                 # findings digests to notifications.channels (mamori findings notify)
      keys: {every: 1d, apply: false}      # access-key lifecycle; dry run unless apply: true (mamori keys enforce)
      suppressions: {every: 1h}            # suppressions file sync and expiry (mamori findings refresh)
      access_expire: {every: 1m}           # end just-in-time grants past their end (mamori access expire)

``every`` is 30s, 15m, 6h, 1d or 1w (at least 30 seconds). The last run of each job is read from
the audit log (``schedule.<job>``), so a restart does not run everything again.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

_EVERY = re.compile(r"^(\d{1,6})([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_every(value: str) -> timedelta:
    m = _EVERY.match(value.strip().lower())
    if not m:
        raise ValueError(f"{value!r} is not an interval such as 30s, 15m, 6h, 1d or 1w")
    seconds = int(m.group(1)) * _UNITS[m.group(2)]
    if seconds < 30:
        raise ValueError(f"{value!r} is shorter than 30s")
    return timedelta(seconds=seconds)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Job(_Model):
    every: str

    @field_validator("every")
    @classmethod
    def _every(cls, v: str) -> str:
        parse_every(v)
        return v

    @property
    def interval(self) -> timedelta:
        return parse_every(self.every)


class ScanJob(Job):
    snapshot: Path | None = None  # scan this snapshot file instead of AWS


class KeysJob(Job):
    apply: bool = False  # dry run by default, as `mamori keys enforce`
    snapshot: Path | None = None  # a dry run over a snapshot file instead of AWS


class AwsAccess(_Model):
    profile: str | None = None
    role_arns: list[str] = Field(default_factory=list)
    external_id: str | None = None
    endpoint_url: str | None = None
    regions: list[str] = Field(default_factory=list)


class SchedulesConfig(_Model):
    aws: AwsAccess = Field(default_factory=AwsAccess)
    scan: ScanJob | None = None
    notify: Job | None = None
    keys: KeysJob | None = None
    suppressions: Job | None = None
    access_expire: Job | None = None

    def jobs(self) -> dict[str, Job]:
        found = {"suppressions": self.suppressions, "scan": self.scan, "notify": self.notify, "keys": self.keys,
                 "access_expire": self.access_expire}  # fmt: skip
        return {name: job for name, job in found.items() if job is not None}
