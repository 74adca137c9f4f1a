"""CloudTrail records: who did it (a normalised principal) and when.

A record stays the plain ``dict`` that orjson parsed (fast, and exactly what AWS wrote);
this module derives the few typed values the rest of the subsystem needs.

``userIdentity`` is normalised to one principal per actor, so that repeat offences are
counted against the identity that can be quarantined:

* ``AssumedRole``   -> the role ARN from ``sessionContext.sessionIssuer.arn`` (type Role);
  every session of the role is the same principal
* ``IAMUser``       -> the user ARN
* ``Root``          -> ``arn:aws:iam::<account>:root``
* ``FederatedUser`` -> the federated-user ARN (its issuer is in ``issuer``)
* ``AWSService``    -> ``service:<invokedBy>``
* SAML / web identity / Identity Center users -> ``<type>:<provider>:<userName>``
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class PrincipalType(StrEnum):
    IAM_USER = "IAMUser"
    ROLE = "Role"
    ROOT = "Root"
    FEDERATED_USER = "FederatedUser"
    AWS_SERVICE = "AWSService"
    AWS_ACCOUNT = "AWSAccount"
    SAML_USER = "SAMLUser"
    WEB_IDENTITY_USER = "WebIdentityUser"
    IDENTITY_CENTER_USER = "IdentityCenterUser"
    UNKNOWN = "Unknown"


_TYPES = {t.value: t for t in PrincipalType}


@dataclass(frozen=True, slots=True)
class Principal:
    arn: str
    type: PrincipalType
    account: str = ""
    name: str = ""
    access_key_id: str = ""
    session_name: str = ""
    issuer: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "arn": self.arn,
            "type": self.type.value,
            "account": self.account,
            "name": self.name,
            "accessKeyId": self.access_key_id,
            "sessionName": self.session_name,
            "issuer": self.issuer,
        }


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None else str(v))


def principal_of(record: Mapping[str, Any]) -> Principal:
    """The normalised principal of a CloudTrail record (never raises)."""
    ui = record.get("userIdentity")
    if not isinstance(ui, Mapping):
        return Principal(arn="unknown", type=PrincipalType.UNKNOWN, account=_s(record.get("recipientAccountId")))
    raw_type = _s(ui.get("type"))
    arn = _s(ui.get("arn"))
    account = _s(ui.get("accountId")) or _s(record.get("recipientAccountId"))
    key = _s(ui.get("accessKeyId"))
    ctx = ui.get("sessionContext")
    issuer: Mapping[str, Any] = {}
    if isinstance(ctx, Mapping) and isinstance(ctx.get("sessionIssuer"), Mapping):
        issuer = ctx["sessionIssuer"]
    if raw_type == "AssumedRole":
        role_arn = _s(issuer.get("arn"))
        session = arn.rsplit("/", 1)[-1] if arn.count("/") >= 2 else ""
        if not role_arn and arn.startswith("arn:") and ":assumed-role/" in arn:
            # arn:aws:sts::123:assumed-role/Name/session -> arn:aws:iam::123:role/Name
            part, acct_rest = arn.split(":sts::", 1) if ":sts::" in arn else (arn, "")
            acct, rest = acct_rest.split(":assumed-role/", 1) if acct_rest else ("", "")
            role_arn = f"{part}:iam::{acct}:role/{rest.rsplit('/', 1)[0]}" if rest else arn
        name = _s(issuer.get("userName")) or role_arn.rsplit("/", 1)[-1]
        return Principal(role_arn or "unknown", PrincipalType.ROLE, account, name, key, session)
    if raw_type == "IAMUser":
        name = _s(ui.get("userName")) or arn.rsplit("/", 1)[-1]
        return Principal(arn or f"arn:aws:iam::{account}:user/{name}", PrincipalType.IAM_USER, account, name, key)
    if raw_type == "Root":
        return Principal(arn or f"arn:aws:iam::{account}:root", PrincipalType.ROOT, account, "root", key)
    if raw_type == "FederatedUser":
        return Principal(arn or "unknown", PrincipalType.FEDERATED_USER, account, arn.rsplit("/", 1)[-1], key, issuer=_s(issuer.get("arn")))
    if raw_type == "AWSService":
        svc = _s(ui.get("invokedBy")) or "unknown"
        return Principal(f"service:{svc}", PrincipalType.AWS_SERVICE, account, svc)
    if raw_type == "AWSAccount":
        return Principal(f"account:{account or _s(ui.get('principalId'))}", PrincipalType.AWS_ACCOUNT, account, account, key)
    ptype = _TYPES.get(raw_type, PrincipalType.UNKNOWN)
    user = _s(ui.get("userName")) or _s(ui.get("principalId"))
    provider = _s(ui.get("identityProvider"))
    if arn:
        return Principal(arn, ptype, account, user or arn.rsplit("/", 1)[-1], key)
    return Principal(f"{raw_type or 'Unknown'}:{provider}:{user}", ptype, account, user, key)


MIN_YEAR, MAX_YEAR = 1970, 9000


_TIMES: dict[str, datetime | None] = {}


def event_time(record: Mapping[str, Any]) -> datetime | None:
    """``eventTime`` as an aware UTC datetime, or None when absent, malformed or out of range
    (before 1970 or after 9000: no CloudTrail record is, and window arithmetic must not overflow)."""
    return time_of(record.get("eventTime"))


def time_of(raw: Any) -> datetime | None:
    """:func:`event_time` of an ``eventTime`` value."""
    if not isinstance(raw, str) or not raw:
        return None
    hit = _TIMES.get(raw, False)
    if hit is not False:  # events of one second share their time: parsed once
        return hit  # type: ignore[return-value]
    if len(_TIMES) > 20_000:
        _TIMES.clear()
    out = _TIMES[raw] = _parse_time(raw)
    return out


def _parse_time(raw: str) -> datetime | None:
    try:
        ts = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        ts = ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    if not MIN_YEAR <= ts.year <= MAX_YEAR:  # year 1 or 9999: window arithmetic would overflow
        return None
    return ts


def is_denied(record: Mapping[str, Any]) -> bool:
    """The call failed on authorisation (the actor tried and was refused)."""
    code = record.get("errorCode")
    return isinstance(code, str) and (
        code.startswith("AccessDenied") or code.endswith("UnauthorizedOperation") or code == "UnauthorizedAccess"
    )


def failed(record: Mapping[str, Any]) -> bool:
    """The call did not succeed (any ``errorCode``)."""
    return bool(record.get("errorCode"))


REQUIRED = ("eventID", "eventName", "eventSource")
MAX_EVENT_ID = 128  # a UUID in practice; the store's key column


def problem(record: Any) -> str | None:
    """Why a parsed item is not a usable CloudTrail record, or None when it is."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    missing = [k for k in REQUIRED if not isinstance(record.get(k), str) or not record.get(k)]
    if missing:
        return f"missing {', '.join(missing)}"
    eid = record["eventID"]
    if len(eid) > MAX_EVENT_ID or "\x00" in eid:
        return f"eventID is not an id ({len(eid)} characters{', with a NUL' if chr(0) in eid else ''})"
    return None
