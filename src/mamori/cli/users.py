"""`mamori users add|list|disable|enable` and `mamori tokens create|list|revoke`: the server's logins.

Every change is written to the audit log with the acting user (``--by``, ``$MAMORI_ACTOR`` or
the OS user). A token is printed once, as the last line of ``tokens create``; only its hash is
stored.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from mamori.cli.columns import Col, echo_table
from mamori.cli.common import actor, config_option, db_option, get_config, open_store
from mamori.cli.output import emit_json
from mamori.errors import InputError
from mamori.users import Role
from mamori.users.service import UserStore, parse_duration

ROLES = [r.value for r in Role]


def _users(db: str | None, config_path: str | None) -> UserStore:
    cfg = get_config(config_path)
    return UserStore(open_store(db, cfg).engine)


def _read_password() -> str:
    data = sys.stdin.readline()
    password = data.rstrip("\r\n")
    if not password:
        raise InputError("--password-stdin: no password on standard input")
    return password


@click.group("users")
def users() -> None:
    """Users of `mamori serve`: roles, account groups, passwords.

    \b
      printf '%s\\n' "$PW" | mamori users add alice --role admin --password-stdin
      mamori users add dev-lead --role analyst --accounts dev --password-stdin < pw.txt
      mamori users list
      mamori users disable alice

    Roles: viewer (read), analyst (also suppress, assign owners, attest), admin (also users
    and tokens). --accounts names a group of `account_groups:` in mamori.yaml: the user sees
    only those accounts. Without a password a user signs in with SSO or an API token only.
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="viewer, analyst or admin.")
@click.option("--accounts", "group", default=None, metavar="ACCOUNT_GROUP",
              help="Only the accounts of this group of account_groups: in mamori.yaml (default: every account).")  # fmt: skip
@click.option("--password-stdin", is_flag=True, help="Read the password (one line) from standard input.")
@click.option("--by", default=None, help="Who adds the user, for the audit log (default: $MAMORI_ACTOR or the OS user).")
@db_option
@config_option
def add(name: str, role: str, group: str | None, password_stdin: bool, by: str | None, db: str | None,
        config_path: str | None) -> None:  # fmt: skip
    """Add a user (the password is hashed with argon2id; never give it as an argument)."""
    cfg = get_config(config_path)
    if group is not None and group not in cfg.account_groups:
        click.secho(f"warning: account group {group!r} is not defined in account_groups: the user sees no account "
                    "until it is", fg="yellow", err=True)  # fmt: skip
    password = _read_password() if password_stdin else None
    store = UserStore(open_store(db, cfg).engine)
    u = store.add_user(name, role=Role(role), password=password, account_group=group, actor=actor(by))
    sees = f"the accounts of group {group}" if group else "every account"
    how = "" if password else " (no password: SSO or API tokens only)"
    click.echo(f"user {u.name} added: {u.role.value}, sees {sees}{how}")


@users.command("list")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def list_users(fmt: str, db: str | None, config_path: str | None) -> None:
    """Users, their role, account group and state."""
    items = _users(db, config_path).users()
    if fmt == "json":
        emit_json([u.to_dict() for u in items])
        return
    if not items:
        click.echo("No users yet: mamori users add NAME --role admin --password-stdin")
        return
    cols = [Col("NAME", flex=True, min_width=10), Col("ROLE"), Col("ACCOUNTS", flex=True, priority=1),
            Col("SOURCE", priority=2), Col("STATE"), Col("CREATED", priority=3)]  # fmt: skip
    rows = [[u.name, u.role.value, u.account_group or "(all)", u.source, "disabled" if u.disabled else "active",
             u.created_at.strftime("%Y-%m-%d")] for u in items]  # fmt: skip
    echo_table(cols, rows, title=f"Users: {len(items)}")


def _set_disabled(name: str, disabled: bool, by: str | None, db: str | None, config_path: str | None) -> None:
    u = _users(db, config_path).set_disabled(name, disabled, actor=actor(by))
    click.echo(f"user {u.name} {'disabled: their sessions and tokens stop working now' if disabled else 'enabled'}")


@users.command("disable")
@click.argument("name")
@click.option("--by", default=None, help="Who disables the user, for the audit log.")
@db_option
@config_option
def disable(name: str, by: str | None, db: str | None, config_path: str | None) -> None:
    """Disable a user: their sessions and API tokens stop working at once."""
    _set_disabled(name, True, by, db, config_path)


@users.command("enable")
@click.argument("name")
@click.option("--by", default=None, help="Who enables the user, for the audit log.")
@db_option
@config_option
def enable(name: str, by: str | None, db: str | None, config_path: str | None) -> None:
    """Enable a disabled user again."""
    _set_disabled(name, False, by, db, config_path)


@click.group("tokens")
def tokens() -> None:
    """API tokens for `mamori serve` (Authorization: Bearer mmr_...).

    \b
      mamori tokens create --user ci-bot --expires 90d --label "nightly export"
      mamori tokens list
      mamori tokens revoke 3f2a9c0d1e2b

    A token is shown once, as the last line of `tokens create`; only its hash is stored.
    """


@tokens.command("create")
@click.option("--user", "user", required=True, help="The user the token acts as (with their role and accounts).")
@click.option("--expires", default="30d", show_default=True, help="30d, 12h, 2w, 1y, or never.")
@click.option("--label", default="", help="What the token is for.")
@click.option("--by", default=None, help="Who creates the token, for the audit log.")
@db_option
@config_option
def create(user: str, expires: str, label: str, by: str | None, db: str | None, config_path: str | None) -> None:
    """Create a token; it is printed once, as the last line."""
    duration = parse_duration(expires)
    tok, text = _users(db, config_path).create_token(user, actor=actor(by), expires=duration, label=label)
    until = tok.expires_at.strftime("%Y-%m-%d %H:%M UTC") if tok.expires_at else "never"
    click.echo(f"token {tok.id} for {tok.user}, expires {until}; copy it now, it is not shown again:", err=False)
    click.echo(text)


@tokens.command("list")
@click.option("--user", "user", default=None, help="Only this user's tokens.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def list_tokens(user: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Tokens (ids, never the secrets), their user, expiry and state."""
    now = datetime.now(UTC)
    items = _users(db, config_path).tokens(user)
    if fmt == "json":
        emit_json([t.to_dict(now) for t in items])
        return
    if not items:
        click.echo("No tokens.")
        return
    cols = [Col("ID"), Col("USER", flex=True, min_width=8), Col("STATE"), Col("EXPIRES"),
            Col("LABEL", flex=True, priority=1), Col("CREATED", priority=2)]  # fmt: skip
    rows = [[t.id, t.user, t.state(now), t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "never", t.label,
             t.created_at.strftime("%Y-%m-%d")] for t in items]  # fmt: skip
    echo_table(cols, rows, title=f"Tokens: {len(items)}")


@tokens.command("revoke")
@click.argument("token_id")
@click.option("--by", default=None, help="Who revokes the token, for the audit log.")
@db_option
@config_option
def revoke(token_id: str, by: str | None, db: str | None, config_path: str | None) -> None:
    """Revoke a token by its id: it stops working at once."""
    tok = _users(db, config_path).revoke_token(token_id, actor=actor(by))
    click.echo(f"token {tok.id} of {tok.user} revoked")
