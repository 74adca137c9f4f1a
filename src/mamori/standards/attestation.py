"""Attestations: a person vouches for a control no rule checks, with evidence and an expiry.

An attestation counts while ``created_at <= t < expires_at`` and it has not been revoked
before ``t``; an expired or revoked one stops counting (and the control is "not
covered" again). ``account`` is ``*`` for the whole organisation or one account id.

Which controls may be attested (:func:`check_attestable`): those marked
``automated: false`` in their catalogue (no API can check them), and automatable
controls that no rule checks yet. A control that a rule checks is the machine's: an
attestation could only hide what the rule sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from mamori.catalog import Control, Standard
from mamori.errors import InputError

ALL_ACCOUNTS = "*"


class AttestationState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    FUTURE = "not yet valid"


@dataclass(frozen=True)
class Attestation:
    id: str
    standard: str
    control: str
    account: str
    by: str
    evidence: str
    created_at: datetime
    expires_at: datetime
    recorded_by: str = ""
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None

    def state_at(self, t: datetime) -> AttestationState:
        if self.revoked_at is not None and self.revoked_at <= t:
            return AttestationState.REVOKED
        if t < self.created_at:
            return AttestationState.FUTURE
        if t >= self.expires_at:
            return AttestationState.EXPIRED
        return AttestationState.ACTIVE

    def valid_at(self, t: datetime) -> bool:
        return self.state_at(t) is AttestationState.ACTIVE

    def covers(self, account: str) -> bool:
        """Whether it counts for ``account`` (``*``: only organisation-wide attestations do)."""
        return self.account == ALL_ACCOUNTS or (account != ALL_ACCOUNTS and self.account == account)

    def to_dict(self, now: datetime | None = None) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "standard": self.standard,
            "control": self.control,
            "account": self.account,
            "by": self.by,
            "evidence": self.evidence,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "recorded_by": self.recorded_by,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
            "revoke_reason": self.revoke_reason,
        }
        if now is not None:
            out["state"] = self.state_at(now).value
        return out


_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_expiry(value: str, now: datetime) -> datetime:
    """``2027-03-31`` (valid through that day, UTC), an ISO datetime, or ``90d``/``12w``/``6m``/``1y``."""
    v = value.strip()
    m = _RELATIVE.match(v.lower())
    if m:
        return now + timedelta(days=int(m.group(1)) * _DAYS[m.group(2)])
    try:
        if len(v) == 10:
            d = date.fromisoformat(v)
            return datetime.combine(d + timedelta(days=1), time(0), tzinfo=UTC)
        t = datetime.fromisoformat(v)
    except ValueError:
        raise InputError(f"invalid expiry {value!r}: use a date (2027-03-31), an ISO time or 90d / 12w / 6m / 1y") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def find_control(std: Standard, control_id: str) -> Control:
    controls = std.controls()
    if control_id in controls:
        return controls[control_id]
    near = [c for c in controls if c.lower().startswith(control_id.lower().rstrip("."))][:8]
    hint = f" (did you mean {', '.join(near)}?)" if near else f" (`mamori standards show {std.id}` lists them)"
    raise InputError(f"{std.id} has no control {control_id!r}{hint}")


def check_attestable(control: Control, standard: str, rules_checking: list[str]) -> None:
    """Raise :class:`InputError` unless a person may attest ``control``."""
    if control.automated and rules_checking:
        raise InputError(
            f"{standard} {control.id} is checked by machine (rules: {', '.join(sorted(rules_checking))}); "
            "attestations are for controls no rule checks"
        )
