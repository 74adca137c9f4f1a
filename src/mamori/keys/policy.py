"""The lifecycle decision for one key: pure, from its age, status, exemptions and past notices.

    age < warn_days                      nothing
    warn_days <= age < disable_days      NOTIFY   the owner, once
    disable_days <= age                  DISABLE  an active key (and notify, once)
    delete_days <= age, key inactive     DELETE   once mamori's disable is min_inactive_days old
                                                  (or at once when someone else disabled it)

An active exemption leaves the key alone (a re-enabled exempt key stays enabled until
the exemption expires). Root keys and keys known only from the credential report are
reported, never acted on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mamori.config.keys import KeyExemption, KeysConfig
from mamori.keys.inventory import KeyRow


class Stage(StrEnum):
    NOTIFY = "notify"
    DISABLE = "disable"
    DELETE = "delete"


class Act(StrEnum):
    NONE = "none"
    NOTIFY = "notify"
    DISABLE = "disable"
    DELETE = "delete"


@dataclass(frozen=True)
class Decision:
    row: KeyRow
    stage: Stage | None
    act: Act
    notify: bool
    reason: str
    exemption: KeyExemption | None = None


def decide(row: KeyRow, cfg: KeysConfig, notices: Mapping[Stage, datetime], now: datetime) -> Decision:
    """What to do with one key today, given the stages already notified (and when)."""
    age = row.age_days
    if age is None or row.status == "":
        return Decision(row, None, Act.NONE, False, "age or status unknown")
    if age < cfg.warn_days:
        return Decision(row, None, Act.NONE, False, f"{age} days old")
    if row.is_root:
        return Decision(row, None, Act.NONE, False, "root access key: only the root user can remove it (no root keys should exist)")
    if not row.access_key_id:
        return Decision(row, None, Act.NONE, False, "key id unknown (ListAccessKeys failed during the scan): re-scan")
    exemption = cfg.exemption_for(row.account, row.user, row.access_key_id, now=now)
    if exemption is not None:
        return Decision(row, None, Act.NONE, False, f"exempt until {exemption.expires}: {exemption.reason} (approved by {exemption.approver})", exemption)
    if age < cfg.disable_days:
        if row.status != "Active":
            return Decision(row, Stage.NOTIFY, Act.NONE, False, "inactive already")
        due = Stage.NOTIFY not in notices
        return Decision(row, Stage.NOTIFY, Act.NOTIFY if due else Act.NONE, due,
                        f"{age} days old: will be disabled at {cfg.disable_days}" + ("" if due else " (owner notified)"))  # fmt: skip
    if row.status == "Active":
        first = Stage.DISABLE not in notices
        return Decision(row, Stage.DISABLE, Act.DISABLE, first,
                        f"{age} days old (limit {cfg.disable_days}): disable" + ("" if first else " again (re-enabled without an exemption)"))  # fmt: skip
    if age < cfg.delete_days:
        return Decision(row, Stage.DISABLE, Act.NONE, False, f"inactive; deleted from day {cfg.delete_days}")
    disabled_at = notices.get(Stage.DISABLE)
    if disabled_at is not None and now - disabled_at < timedelta(days=cfg.min_inactive_days):
        when = (disabled_at + timedelta(days=cfg.min_inactive_days)).date()
        return Decision(row, Stage.DELETE, Act.NONE, False, f"inactive since mamori disabled it; deleted from {when}")
    return Decision(row, Stage.DELETE, Act.DELETE, Stage.DELETE not in notices, f"{age} days old and inactive: delete")
