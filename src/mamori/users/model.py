"""Who is asking: a role and the set of accounts they may see. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Ordered: viewer < analyst < admin (``role >= Role.ANALYST`` compares ranks, not names)."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from user input; InputError names the choices."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            from mamori.errors import InputError

            raise InputError(f"unknown role {value!r}: use viewer, analyst or admin") from None

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= Role(other).rank

    # StrEnum would compare alphabetically; a role compares by rank
    def __ge__(self, other: object) -> bool:
        return self.rank >= Role(str(other)).rank

    def __gt__(self, other: object) -> bool:
        return self.rank > Role(str(other)).rank

    def __le__(self, other: object) -> bool:
        return self.rank <= Role(str(other)).rank

    def __lt__(self, other: object) -> bool:
        return self.rank < Role(str(other)).rank


_RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Principal:
    """The user behind a request, resolved once per request.

    ``accounts`` is None for a user who sees every account, else exactly the accounts of
    their group (possibly empty). ``via`` says how they signed in: session, token or oidc.
    """

    name: str
    role: Role
    accounts: frozenset[str] | None = None
    group: str | None = None
    via: str = "session"

    def sees(self, account: str) -> bool:
        return self.accounts is None or account in self.accounts

    def at_least(self, role: Role) -> bool:
        return self.role.at_least(role)


def resolve_accounts(group: str | None, groups: Mapping[str, Sequence[str]]) -> frozenset[str] | None:
    """The accounts a user of ``group`` sees: None (all) without a group; an undefined group sees none."""
    if group is None or group == "":
        return None
    return frozenset(str(a) for a in groups.get(group, ()))
