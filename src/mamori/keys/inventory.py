"""The access-key inventory, from what the IAM collector read (credential report + ListAccessKeys).

No parsing of its own: the IAM collector already turns the credential report and the
key APIs into ``aws.iam.access_key`` / ``aws.iam.user`` / ``aws.iam.account`` resources;
this module joins them into one row per key (root keys from the report's root row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mamori.model.resource import Inventory, Resource
from mamori.model.resources.iam import ACCESS_KEY, ACCOUNT, USER

ROOT = "<root>"


@dataclass(frozen=True)
class KeyRow:
    account: str
    user: str
    access_key_id: str  # "" when only the credential report knows the key (root, or ListAccessKeys failed)
    key_ref: str  # the inventory id: the key id, or "<user>/access_key_<n>"
    status: str  # Active | Inactive | "" unknown
    created: str
    age_days: int | None
    last_used_date: str  # ISO, "never", or "" unknown
    last_used_service: str
    last_used_region: str
    console_access: bool | None
    mfa_active: bool | None
    owner: str

    @property
    def is_root(self) -> bool:
        return self.user == ROOT

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account, "user": self.user, "access_key_id": self.access_key_id, "key_ref": self.key_ref,
            "status": self.status, "created": self.created, "age_days": self.age_days,
            "last_used_date": self.last_used_date, "last_used_service": self.last_used_service,
            "last_used_region": self.last_used_region, "console_access": self.console_access,
            "mfa_active": self.mfa_active, "owner": self.owner,
        }  # fmt: skip


FIELDS = tuple(KeyRow.__dataclass_fields__)


def age_days(created: str | None, now: datetime) -> int | None:
    if not created:
        return None
    try:
        then = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return None
    then = then if then.tzinfo else then.replace(tzinfo=UTC)
    return max(0, (now - then).days)


OwnerOf = Callable[[str, str, Resource | None], str]
"""owner_of(account, user, user_resource) -> an address ("" when nobody is known)."""


def key_rows(inv: Inventory, owner_of: OwnerOf, *, now: datetime | None = None) -> list[KeyRow]:
    """One row per access key in the inventory (IAM users' keys and the root user's)."""
    when = now or inv.collected_at
    users = {(u.account, u.id): u for u in inv.of_type(USER)}
    rows: list[KeyRow] = []
    for k in inv.of_type(ACCESS_KEY):
        p = k.properties
        name = str(p.get("user") or "")
        u = users.get((k.account, name))
        up = u.properties if u is not None else {}
        created = str(p.get("created") or "")
        rows.append(KeyRow(
            account=k.account, user=name, access_key_id=str(p.get("access_key_id") or ""), key_ref=k.id,
            status=str(p.get("status") or ""), created=created, age_days=age_days(created, when),
            last_used_date=str(p.get("last_used_date") or ""), last_used_service=str(p.get("last_used_service") or ""),
            last_used_region=str(p.get("last_used_region") or ""), console_access=up.get("console_access"),
            mfa_active=up.get("mfa_active"), owner=owner_of(k.account, name, u),
        ))  # fmt: skip
    for acct in inv.of_type(ACCOUNT):
        for slot in acct.properties.get("root_access_keys") or []:
            created = str(slot.get("last_rotated") or "")
            active = slot.get("active")
            rows.append(KeyRow(
                account=acct.account, user=ROOT, access_key_id="", key_ref=f"{ROOT}/access_key_{slot.get('slot')}",
                status="" if active is None else ("Active" if active else "Inactive"), created=created,
                age_days=age_days(created, when), last_used_date=str(slot.get("last_used_date") or ""),
                last_used_service=str(slot.get("last_used_service") or ""), last_used_region=str(slot.get("last_used_region") or ""),
                console_access=None, mfa_active=acct.properties.get("root_mfa_enabled"), owner=owner_of(acct.account, ROOT, None),
            ))  # fmt: skip
    rows.sort(key=lambda r: (r.account, r.user, r.created, r.key_ref))
    return rows
