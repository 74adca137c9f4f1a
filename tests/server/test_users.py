"""Users and API tokens (mamori.users): argon2 passwords, hashed expiring revocable tokens, audited changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mamori import audit
from mamori.config import load_config
from mamori.errors import ConfigError, InputError
from mamori.findings import Store
from mamori.users import Principal, Role, resolve_accounts
from mamori.users.service import UserStore, parse_duration
from mamori.users.tables import api_tokens, users

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_roles_are_ordered_by_rank_not_by_name() -> None:
    assert Role.VIEWER < Role.ANALYST < Role.ADMIN
    assert Role.ADMIN.at_least(Role.ANALYST) and not Role.VIEWER.at_least(Role.ANALYST)
    assert Role.parse(" Admin ") is Role.ADMIN
    with pytest.raises(InputError, match="unknown role"):
        Role.parse("root")


def test_a_group_gives_its_accounts_an_undefined_group_gives_none_and_no_group_gives_all() -> None:
    groups = {"prod": ["111111111111"], "dev": ["222222222222"]}
    assert resolve_accounts("prod", groups) == frozenset({"111111111111"})
    assert resolve_accounts("typo", groups) == frozenset()
    assert resolve_accounts(None, groups) is None
    p = Principal("a", Role.VIEWER, resolve_accounts("typo", groups))
    assert not p.sees("111111111111") and not p.sees("222222222222")
    assert Principal("b", Role.VIEWER, None).sees("999999999999")


def test_passwords_are_argon2_hashes_and_a_disabled_user_cannot_sign_in(store: Store) -> None:
    us = UserStore(store.engine)
    us.add_user("alice", role=Role.ADMIN, password="s3cret-passw0rd", actor="root", now=T0)
    with store.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "s3cret" not in stored
    assert us.authenticate("alice", "s3cret-passw0rd") is not None
    assert us.authenticate("alice", "wrong-password") is None
    assert us.authenticate("nobody", "s3cret-passw0rd") is None
    us.set_disabled("alice", True, actor="root")
    assert us.authenticate("alice", "s3cret-passw0rd") is None
    with pytest.raises(InputError, match="exists already"):
        us.add_user("alice", role=Role.VIEWER, password="another-pass", actor="root")
    with pytest.raises(InputError, match="at least 8"):
        us.add_user("bob", role=Role.VIEWER, password="short", actor="root")
    with pytest.raises(InputError, match="invalid user name"):
        us.add_user("bad name<", role=Role.VIEWER, password="long-enough", actor="root")


def test_tokens_are_prefixed_stored_hashed_expire_and_can_be_revoked(store: Store) -> None:
    us = UserStore(store.engine)
    us.add_user("ci", role=Role.ANALYST, password=None, account_group="dev", actor="root", now=T0)
    tok, text = us.create_token("ci", actor="root", expires=timedelta(days=30), now=T0)
    assert text.startswith("mmr_") and tok.id in text
    with store.engine.connect() as conn:
        row = conn.execute(select(api_tokens)).one()
    secret = text.split("_", 2)[2]
    assert secret not in str(tuple(row)) and len(row.secret_hash) == 64
    assert us.token_user(text, now=T0 + timedelta(days=1)) is not None
    assert us.token_user(text, now=T0 + timedelta(days=31)) is None  # expired
    assert us.token_user(text[:-1] + ("A" if text[-1] != "A" else "B"), now=T0) is None  # wrong secret
    assert us.token_user("mmr_nothing", now=T0) is None
    us.revoke_token(tok.id, actor="root", now=T0 + timedelta(hours=1))
    assert us.token_user(text, now=T0 + timedelta(hours=2)) is None
    assert [t.state(T0 + timedelta(hours=2)) for t in us.tokens("ci")] == ["revoked"]


def test_a_disabled_users_tokens_stop_working(store: Store) -> None:
    us = UserStore(store.engine)
    us.add_user("bot", role=Role.VIEWER, password=None, actor="root")
    _, text = us.create_token("bot", actor="root", expires=None)
    assert us.token_user(text) is not None
    us.set_disabled("bot", True, actor="root")
    assert us.token_user(text) is None
    with pytest.raises(InputError, match="disabled"):
        us.create_token("bot", actor="root")


def test_every_user_and_token_change_is_audited_with_the_acting_user(store: Store) -> None:
    us = UserStore(store.engine)
    us.add_user("carol", role=Role.VIEWER, password="long-enough-pw", actor="alice")
    tok, _ = us.create_token("carol", actor="alice", label="laptop")
    us.revoke_token(tok.id, actor="bob")
    us.set_disabled("carol", True, actor="bob")
    got = [(e.actor, e.action, e.subject) for e in audit.entries(store.engine)]
    assert ("alice", "user.add", "carol") in got
    assert ("alice", "token.create", tok.id) in got
    assert ("bob", "token.revoke", tok.id) in got
    assert ("bob", "user.disable", "carol") in got
    assert audit.verify(store.engine).ok


def test_durations() -> None:
    assert parse_duration("30d") == timedelta(days=30)
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("never") is None
    for bad in ("0d", "30", "d", "-1d", "1000000d"):
        with pytest.raises(InputError):
            parse_duration(bad)


def test_account_groups_in_the_config_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "mamori.yaml"
    p.write_text("account_groups:\n  prod: [111111111111, '222222222222']\n")
    assert load_config(p).account_groups == {"prod": ["111111111111", "222222222222"]}
    p.write_text("account_groups:\n  prod: ['1234']\n")
    with pytest.raises(ConfigError, match="12-digit"):
        load_config(p)
