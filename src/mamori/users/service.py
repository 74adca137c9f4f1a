"""Users and API tokens on the store: the one place the CLI and the server change them.

Passwords are hashed with argon2id (argon2-cffi, its default parameters); a wrong password
and an unknown user take the same time (a dummy hash is verified). API tokens look like
``mmr_<id>_<secret>``: the id is public (lists, revocation), the 32-byte secret is shown
once and only its SHA-256 is stored (a random secret needs no slow hash). Every change is
appended to the audit log (``user.add``, ``user.disable``, ``user.enable``, ``user.sso``,
``token.create``, ``token.revoke``) with the acting user, in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mamori.audit import record_in
from mamori.errors import InputError, StoreError
from mamori.store.db import write_transaction
from mamori.users.model import Principal, Role, resolve_accounts
from mamori.users.tables import api_tokens, users

TOKEN_PREFIX = "mmr_"
_TOKEN = re.compile(r"^mmr_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")
_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_DURATION = re.compile(r"^(\d{1,5})([hdwy])$")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "y": timedelta(days=365)}

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("mamori: a password nobody has")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    account_group: str | None
    source: str
    disabled: bool
    created_at: datetime

    def principal(self, groups: Mapping[str, Sequence[str]], *, via: str = "session") -> Principal:
        return Principal(self.name, self.role, resolve_accounts(self.account_group, groups), self.account_group, via)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role.value,
            "accounts": self.account_group,
            "source": self.source,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class Token:
    id: str
    user: str
    label: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        return {
            "id": self.id,
            "user": self.user,
            "label": self.label,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "created_by": self.created_by,
            "expires_at": self.expires_at.isoformat(timespec="seconds") if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat(timespec="seconds") if self.revoked_at else None,
            "state": self.state(now),
        }


def parse_duration(value: str) -> timedelta | None:
    """``30d``, ``12h``, ``2w``, ``1y``; ``never`` is None (no expiry)."""
    v = value.strip().lower()
    if v in ("never", "none", "0"):
        return None
    m = _DURATION.match(v)
    if not m or int(m.group(1)) == 0:
        raise InputError(f"invalid duration {value!r}: use 30d, 12h, 2w, 1y or never")
    return int(m.group(1)) * _UNIT[m.group(2)]


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(f"invalid user name {name!r}: letters, digits and . _ @ + - (at most 200)")
    return name


def check_group(group: str | None) -> str | None:
    if group is not None and not _GROUP.match(group):
        raise InputError(f"invalid account group {group!r}: letters, digits and . _ - (at most 100)")
    return group


def _user(r: Any) -> User:
    return User(int(r.id), str(r.name), Role(r.role), r.account_group, str(r.source), bool(r.disabled), r.created_at)


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class UserStore:
    """Users and tokens over the store's engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- users ---------------------------------------------------------------------

    def add_user(
        self, name: str, *, role: Role, password: str | None, account_group: str | None = None,
        actor: str, source: str = "local", now: datetime | None = None,
    ) -> User:  # fmt: skip
        check_name(name)
        check_group(account_group)
        if password is not None and len(password) < 8:
            raise InputError("the password must have at least 8 characters")
        if password is not None and len(password) > 1024:
            raise InputError("the password is longer than 1024 characters")
        now = now or datetime.now(UTC)
        pw_hash = _hasher.hash(password) if password is not None else None
        row = {
            "name": name, "password_hash": pw_hash, "role": Role(role).value, "account_group": account_group,
            "source": source, "disabled": False, "created_at": now, "updated_at": now,
        }  # fmt: skip
        try:
            with write_transaction(self.engine) as conn:
                if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
                    raise InputError(f"user {name!r} exists already")
                conn.execute(insert(users), row)
                record_in(conn, actor=actor, action="user.add", subject=name,
                          details={"role": Role(role).value, "accounts": account_group, "source": source}, at=now)  # fmt: skip
                r = conn.execute(select(users).where(users.c.name == name)).one()
        except IntegrityError:
            raise InputError(f"user {name!r} exists already") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"could not add the user: {exc}") from exc
        return _user(r)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]

    def user(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.name == name)).first()
        return _user(r) if r is not None else None

    def set_disabled(self, name: str, disabled: bool, *, actor: str, now: datetime | None = None) -> User:
        """Disable (or enable) a user: their sessions and tokens stop working at the next request."""
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                r = conn.execute(select(users).where(users.c.name == name)).first()
                if r is None:
                    raise InputError(f"no user {name!r}")
                conn.execute(update(users).where(users.c.id == r.id).values(disabled=disabled, updated_at=now))
                record_in(conn, actor=actor, action="user.disable" if disabled else "user.enable", subject=name, at=now)
                r = conn.execute(select(users).where(users.c.id == r.id)).one()
        except SQLAlchemyError as exc:
            raise StoreError(f"could not change the user: {exc}") from exc
        return _user(r)

    def authenticate(self, name: str, password: str) -> User | None:
        """The enabled local user with this password, else None (same cost either way)."""
        with self.engine.connect() as conn:
            r = conn.execute(select(users).where(users.c.name == name)).first()
        stored = r.password_hash if r is not None and r.password_hash else None
        try:
            _hasher.verify(stored or _DUMMY, password[:1024])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if r is None or stored is None or r.disabled:
            return None
        if _hasher.check_needs_rehash(stored):
            with write_transaction(self.engine) as conn:
                conn.execute(update(users).where(users.c.id == r.id).values(password_hash=_hasher.hash(password)))
        return _user(r)

    def sso_user(self, name: str, *, role: Role, account_group: str | None, now: datetime | None = None) -> User:
        """The user signing in through OpenID Connect: created or updated to the role and group the IdP says."""
        check_name(name)
        check_group(account_group)
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                r = conn.execute(select(users).where(users.c.name == name)).first()
                if r is None:
                    conn.execute(insert(users), {
                        "name": name, "password_hash": None, "role": role.value, "account_group": account_group,
                        "source": "oidc", "disabled": False, "created_at": now, "updated_at": now,
                    })  # fmt: skip
                    record_in(conn, actor=name, action="user.sso", subject=name,
                              details={"role": role.value, "accounts": account_group, "created": True}, at=now)  # fmt: skip
                elif r.role != role.value or r.account_group != account_group:
                    conn.execute(update(users).where(users.c.id == r.id)
                                 .values(role=role.value, account_group=account_group, updated_at=now))  # fmt: skip
                    record_in(conn, actor=name, action="user.sso", subject=name,
                              details={"role": role.value, "accounts": account_group, "was_role": r.role,
                                       "was_accounts": r.account_group}, at=now)  # fmt: skip
                r = conn.execute(select(users).where(users.c.name == name)).one()
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record the SSO user: {exc}") from exc
        return _user(r)

    # -- tokens --------------------------------------------------------------------

    def create_token(
        self, user: str, *, actor: str, expires: timedelta | None = timedelta(days=30), label: str = "",
        now: datetime | None = None,
    ) -> tuple[Token, str]:  # fmt: skip
        """A new token for ``user``: its record and the full token text (shown once, never stored)."""
        now = now or datetime.now(UTC)
        tid = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        expires_at = now + expires if expires is not None else None
        try:
            with write_transaction(self.engine) as conn:
                u = conn.execute(select(users).where(users.c.name == user)).first()
                if u is None:
                    raise InputError(f"no user {user!r}")
                if u.disabled:
                    raise InputError(f"user {user!r} is disabled")
                conn.execute(insert(api_tokens), {
                    "id": tid, "user_id": u.id, "secret_hash": _secret_hash(secret), "label": label[:200],
                    "created_at": now, "created_by": actor, "expires_at": expires_at, "revoked_at": None,
                })  # fmt: skip
                record_in(conn, actor=actor, action="token.create", subject=tid,
                          details={"user": user, "label": label[:200],
                                   "expires_at": expires_at.isoformat(timespec="seconds") if expires_at else None},
                          at=now)  # fmt: skip
        except SQLAlchemyError as exc:
            raise StoreError(f"could not create the token: {exc}") from exc
        token = Token(tid, user, label[:200], now, actor, expires_at, None)
        return token, f"{TOKEN_PREFIX}{tid}_{secret}"

    def tokens(self, user: str | None = None) -> list[Token]:
        q = (select(api_tokens, users.c.name.label("user_name"))
             .join(users, users.c.id == api_tokens.c.user_id).order_by(api_tokens.c.created_at, api_tokens.c.id))  # fmt: skip
        if user is not None:
            q = q.where(users.c.name == user)
        with self.engine.connect() as conn:
            return [
                Token(r.id, r.user_name, r.label, r.created_at, r.created_by, r.expires_at, r.revoked_at)
                for r in conn.execute(q)
            ]

    def token(self, tid: str) -> Token | None:
        found = [t for t in self.tokens() if t.id == tid]
        return found[0] if found else None

    def revoke_token(self, tid: str, *, actor: str, now: datetime | None = None) -> Token:
        now = now or datetime.now(UTC)
        try:
            with write_transaction(self.engine) as conn:
                r = conn.execute(select(api_tokens.c.id, api_tokens.c.revoked_at, users.c.name)
                                 .join(users, users.c.id == api_tokens.c.user_id)
                                 .where(api_tokens.c.id == tid)).first()  # fmt: skip
                if r is None:
                    raise InputError(f"no token {tid!r}")
                if r.revoked_at is None:
                    conn.execute(update(api_tokens).where(api_tokens.c.id == tid).values(revoked_at=now))
                    record_in(conn, actor=actor, action="token.revoke", subject=tid, details={"user": r.name}, at=now)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not revoke the token: {exc}") from exc
        found = self.token(tid)
        assert found is not None
        return found

    def token_user(self, raw: str, *, now: datetime | None = None) -> User | None:
        """The enabled user of a valid, unexpired, unrevoked token, else None."""
        m = _TOKEN.match(raw.strip())
        if not m:
            return None
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:
            r = conn.execute(select(api_tokens.c.secret_hash, api_tokens.c.expires_at, api_tokens.c.revoked_at, users)
                             .join(users, users.c.id == api_tokens.c.user_id)
                             .where(api_tokens.c.id == m.group(1))).first()  # fmt: skip
        if r is None or not hmac.compare_digest(r.secret_hash, _secret_hash(m.group(2))):
            return None
        if r.revoked_at is not None or (r.expires_at is not None and r.expires_at <= now) or r.disabled:
            return None
        return _user(r)
