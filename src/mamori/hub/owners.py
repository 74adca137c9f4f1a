"""Owners from account and tag mappings; SLA deadlines per severity. Pure.

Owner precedence: the first matching tag rule, then the account mapping, then ``default``.
A tag rule ``{key: team}`` makes the tag's value the owner; ``{key, value, owner}``
maps one exact value. Due date = ``first_seen`` + the severity's SLA days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.model.finding import Severity


def owner_of(cfg: OwnersConfig, account: str, tags: Mapping[str, str]) -> str:
    for rule in cfg.tags:
        value = tags.get(rule.key)
        if value is None or value == "":
            continue
        if rule.value is None:
            return rule.owner or value
        if rule.value == value:
            return rule.owner or value
    return cfg.accounts.get(account, cfg.default)


def due_at(sla: SlaConfig, severity: Severity, first_seen: datetime) -> datetime | None:
    days = sla.days(severity)
    return None if days is None else first_seen + timedelta(days=days)
