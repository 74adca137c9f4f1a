"""mamori's configuration file (``mamori.yaml``), validated: the one loader, producing typed sections.

Looked up in this order: ``--config PATH``, ``$MAMORI_CONFIG``, ``./mamori.yaml``. All
keys are optional::

    db: postgresql+psycopg://mamori@db.internal/mamori   # default: ./.mamori/mamori.db
    rule_paths: [./security-rules]                       # extra rule directories
    params:                                              # per-rule parameter overrides
      iam_access_key_older_than_90_days: {max_age_days: 60}
    disabled_rules: [ec2_instance_public_ip]
    # rule ids, parameter names and value types in params and disabled_rules are checked
    # against the rules by mamori.rules.refs.load_checked_config (what every command uses)
    guardrails: {...}    # remediation modes and exemptions (docs/remediation.md)
    keys: {...}          # the access-key lifecycle policy (docs/remediation.md)
    access: {...}        # just-in-time access approvals (mamori.config.access, docs/access.md)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mamori.config.access import AccessConfig
from mamori.config.guardrails import GuardrailsConfig
from mamori.config.hub import HubSettings, NotificationsConfig, OwnersConfig, SlaConfig
from mamori.config.keys import KeysConfig
from mamori.config.schedules import SchedulesConfig
from mamori.config.server import ServerConfig, check_account_groups
from mamori.errors import ConfigError
from mamori.safeload import load_yaml


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    db: str | None = None
    rule_paths: list[Path] = Field(default_factory=list)
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    disabled_rules: list[str] = Field(default_factory=list)
    guardrails: GuardrailsConfig = Field(default_factory=GuardrailsConfig)
    keys: KeysConfig = Field(default_factory=KeysConfig)
    owners: OwnersConfig = Field(default_factory=OwnersConfig)  # findings hub: docs/findings-hub.md
    sla: SlaConfig = Field(default_factory=SlaConfig)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    suppressions_file: Path | None = None
    events: dict[str, Any] = Field(default_factory=dict)  # validated by mamori.events (docs/events.md)
    account_groups: dict[str, list[str]] = Field(default_factory=dict)  # mamori serve: docs/server.md
    server: ServerConfig = Field(default_factory=ServerConfig)
    schedules: SchedulesConfig = Field(default_factory=SchedulesConfig)  # jobs inside mamori serve
    access: AccessConfig = Field(default_factory=AccessConfig)  # just-in-time access: docs/access.md
    source: Path | None = None

    @field_validator("account_groups", mode="before")
    @classmethod
    def _account_ids(cls, v: object) -> object:
        return check_account_groups(v)

    @model_validator(mode="after")
    def _access_groups(self) -> Config:
        unknown = sorted(set(self.access.account_groups) - set(self.account_groups))
        if unknown:
            raise ValueError(f"access.account_groups names {', '.join(unknown)}, not under the top-level account_groups")
        return self

    @property
    def hub(self) -> HubSettings:
        """The findings hub's sections (owners, sla, notifications)."""
        return HubSettings(owners=self.owners, sla=self.sla, notifications=self.notifications)


def load_config(path: str | Path | None = None) -> Config:
    explicit = path or os.environ.get("MAMORI_CONFIG")
    p = Path(explicit) if explicit else Path("mamori.yaml")
    if not p.exists():
        if explicit:
            raise ConfigError("config file not found", source=str(p))
        return Config()
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the config: {exc.strerror or exc}", source=str(p)) from None
    # bounded (aliases, depth, dates, NUL, UTF-8) and duplicate keys refused: the second `owners:`
    # silently replacing the first is how a config loses its settings (issue 12)
    data = load_yaml(raw, source=str(p), error=ConfigError) or {}
    if not isinstance(data, dict):
        raise ConfigError("the config must be a mapping", source=str(p))
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise ConfigError(err["msg"], source=str(p), where=where) from exc
    base = p.parent
    cfg.rule_paths = [rp if rp.is_absolute() else base / rp for rp in cfg.rule_paths]
    for job in (cfg.schedules.scan, cfg.schedules.keys):
        if job is not None and job.snapshot is not None and not job.snapshot.is_absolute():
            job.snapshot = base / job.snapshot
    if cfg.suppressions_file is not None and not cfg.suppressions_file.is_absolute():
        cfg.suppressions_file = base / cfg.suppressions_file
    cfg.source = p
    return cfg
