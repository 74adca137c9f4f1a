"""The events configuration: the ``events:`` key of ``mamori.yaml``, or a file of its own.

::

    events:
      default_mode: dry-run            # for every responder that changes something
      modes:                           # per detection (wins over default_mode)
        cloudtrail_stop_logging: act
      disabled: [iam_access_key_created]
      detection_paths: [./my-detections]
      sigma_rules: [./sigma]           # Sigma rules (AWS CloudTrail logsource), compiled into the matcher
      params: {console_login_failures_burst: {}}
      responders:                      # responder parameters
        quarantine_principal: {actions: ["*"], exempt: [arn:aws:iam::111122223333:role/break-glass]}
      max_file_mib: 256                # largest file read (after gunzip); larger ones are reported
      role_name: mamori-responder      # assumed in every other account ({account} allowed)
      notify:                          # channels (mamori.notify): log, webhook, memory
        - {channel: log}
        - {channel: webhook, url: https://hooks.example.com/x, secret: "..."}

``--config FILE`` may point at a ``mamori.yaml`` (its ``events:`` key is read, and
``db:``) or at a file that holds only the mapping above.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mamori.events.errors import EventsConfigError
from mamori.events.schema import ResponseMode
from mamori.safeload import load_yaml


class EventsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_mode: ResponseMode | None = None
    modes: dict[str, ResponseMode] = Field(default_factory=dict)
    disabled: list[str] = Field(default_factory=list)
    detection_paths: list[Path] = Field(default_factory=list)
    sigma_rules: list[Path] = Field(default_factory=list)
    """Files or directories of Sigma rules (also accepted as a top-level ``sigma_rules:`` key of mamori.yaml)."""
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    responders: dict[str, dict[str, Any]] = Field(default_factory=dict)
    role_name: str | None = None
    notify: list[dict[str, Any]] = Field(default_factory=lambda: [{"channel": "log"}])
    db: str | None = None
    max_file_mib: int = Field(default=256, ge=1)
    """Largest CloudTrail file read, after decompression (MiB); a larger one is reported and skipped."""
    source: Path | None = None


def load_events_config(path: str | Path | None = None) -> EventsConfig:
    """``path``, else ``$MAMORI_CONFIG``, else ``./mamori.yaml``; absent -> defaults."""
    explicit = path or os.environ.get("MAMORI_CONFIG")
    p = Path(explicit) if explicit else Path("mamori.yaml")
    if not p.exists():
        if explicit:
            raise EventsConfigError("config file not found", source=str(p))
        return EventsConfig()
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise EventsConfigError(f"cannot read: {exc.strerror or exc}", source=str(p)) from exc
    data = load_yaml(raw, source=str(p), error=EventsConfigError) or {}
    if not isinstance(data, dict):
        raise EventsConfigError("the config must be a mapping", source=str(p))
    prefix = ""
    if "events" in data or "db" in data or not explicit:
        # a mamori.yaml: read its events: key (and db:), ignore the other subsystems' keys
        section = data.get("events") or {}
        db = data.get("db")
        top_sigma = data.get("sigma_rules")
        if top_sigma is not None:
            if not isinstance(top_sigma, list) or not all(isinstance(x, str) for x in top_sigma):
                raise EventsConfigError("'sigma_rules' must be a list of paths", source=str(p), where="sigma_rules")
            if isinstance(section, dict):
                section = {**section, "sigma_rules": [*section.get("sigma_rules", []), *top_sigma]}
        prefix = "events."
    else:
        section, db = data, None
    if not isinstance(section, dict):
        raise EventsConfigError("'events' must be a mapping", source=str(p), where="events")
    try:
        cfg = EventsConfig.model_validate(section)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = prefix + ".".join(str(x) for x in err["loc"])
        raise EventsConfigError(str(err["msg"]), source=str(p), where=where) from exc
    if db and not cfg.db:
        cfg.db = str(db)
    cfg.detection_paths = [d if d.is_absolute() else p.parent / d for d in cfg.detection_paths]
    cfg.sigma_rules = [d if d.is_absolute() else p.parent / d for d in cfg.sigma_rules]
    cfg.source = p
    return cfg
