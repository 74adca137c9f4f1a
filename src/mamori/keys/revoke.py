"""Leaked-key response: find the key's account and user, disable it, revoke its sessions, record it.

Sessions: an inline deny-all policy ``mamori-revoke-sessions`` on the user, conditioned on
``aws:TokenIssueTime`` before now — the mechanism of the IAM console's "Revoke active
sessions" — blocks every temporary credential the user (or the key) obtained before the
response. Both changes are ordinary remediation changes (stored plan, verified, audited,
and reversible with ``mamori remediate rollback`` once the incident is closed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Engine, select

from mamori.audit import record
from mamori.config.guardrails import GuardrailsConfig
from mamori.errors import InputError
from mamori.findings.tables import findings as findings_table
from mamori.model.resource import GLOBAL
from mamori.model.resources.iam import ACCESS_KEY, USER
from mamori.remediate.action import ACTIONS, load_actions
from mamori.remediate.actions.iam import read_key
from mamori.remediate.apply import plan_and_apply
from mamori.remediate.clients import Clients
from mamori.remediate.errors import RemediationError
from mamori.remediate.model import ApplyReport, Plan, Target
from mamori.remediate.planner import Item, describe_error
from mamori.remediate.tables import remediation_changes

KEY_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True)
class Located:
    account: str
    user: str
    status: str
    source: str  # how the account was found: "findings", "remediation history", "IAM"


@dataclass(frozen=True)
class RevokeResult:
    key_id: str
    located: Located
    issued_before: str
    plan: Plan
    report: ApplyReport | None
    next_steps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        plan = self.report.plan if self.report else self.plan
        return {
            "access_key_id": self.key_id,
            "account": self.located.account, "user": self.located.user, "status_before": self.located.status,
            "found_via": self.located.source, "sessions_revoked_before": self.issued_before,
            "dry_run": self.report is None, "plan": plan.to_dict(), "next_steps": self.next_steps,
        }  # fmt: skip


def mask(value: str) -> str:
    """What an error may say about a value that failed the key-id check: it may be the *secret* key."""
    return f"the value given ({len(value.strip())} characters)"


def check_key_id(key_id: str) -> str:
    k = key_id.strip()
    if not (16 <= len(k) <= 128) or not set(k) <= KEY_ID_CHARS:
        # never echo it: people paste the secret access key here, and errors end up in CI logs
        raise InputError(f"{mask(key_id)} does not look like an access key id (e.g. AKIA... or ASIA...); "
                         "give the key id, never the secret key")  # fmt: skip
    return k


def known_accounts(engine: Engine, key_id: str) -> list[tuple[str, str]]:
    """Accounts the store has seen the key in: (account, how) — findings first, then past changes."""
    out: list[tuple[str, str]] = []
    with engine.connect() as conn:
        q = select(findings_table.c.account).where(findings_table.c.resource_type == ACCESS_KEY, findings_table.c.resource_id == key_id)
        out += [(r.account, "findings") for r in conn.execute(q)]
        q2 = select(remediation_changes.c.account).where(remediation_changes.c.resource_type == ACCESS_KEY, remediation_changes.c.resource_id == key_id)
        out += [(r.account, "remediation history") for r in conn.execute(q2)]
    first: dict[str, str] = {}
    for account, how in out:
        first.setdefault(account, how)
    return list(first.items())


def locate(engine: Engine, clients: Clients, key_id: str) -> Located:
    """The key's account and user: accounts the store knows first, then every configured account's IAM."""
    hints = known_accounts(engine, key_id)
    order = [(a, how) for a, how in hints if a in clients.accounts] + [(a, "IAM") for a in clients.accounts if a not in {h for h, _ in hints}]
    errors: list[str] = []
    for account, how in order:
        try:
            state = read_key(clients.context(account), key_id)
        except (ClientError, BotoCoreError, RemediationError) as exc:
            errors.append(f"{account}: {describe_error(exc)}")
            continue
        if state["exists"]:
            return Located(account, state["user"], state["status"], how)
    missing = [a for a, _ in hints if a not in clients.accounts]
    msg = f"access key {key_id} was not found in the accounts mamori can reach ({', '.join(clients.accounts) or 'none'})"
    if missing:
        msg += f"; the store saw it in {', '.join(missing)}: pass --role-arn for that account"
    if errors:
        msg += "; errors: " + "; ".join(errors)
    raise RemediationError(msg)


def next_steps(key_id: str, loc: Located) -> list[str]:
    return [
        f"mamori logs query key {key_id}    # every API call the key made: which, from where (IP, country), did it succeed",
        f"mamori logs query timeline --principal arn:aws:iam::{loc.account}:user/{loc.user}    # the user's activity in order",
        "look for persistence made with the key: CreateUser, CreateAccessKey, CreateLoginProfile, Attach*Policy, "
        "AssumeRole (role sessions it obtained are NOT revoked by the user policy: revoke them on each role)",
        f"aws iam list-access-keys --user-name {loc.user}    # the user's other keys: rotate them too",
        "find and fix where the key leaked (repository, CI logs, chat): mamori gate secrets --history",
        f"when the investigation is closed: aws iam delete-access-key --user-name {loc.user} --access-key-id {key_id}",
        "then lift the session block (mamori remediate rollback <the revoke-sessions change id>)",
    ]


def revoke(
    engine: Engine,
    clients: Clients,
    key_id: str,
    *,
    actor: str,
    dry_run: bool = False,
    now: datetime | None = None,
    guardrails: GuardrailsConfig | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RevokeResult:
    kid = check_key_id(key_id)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    load_actions()
    loc = locate(engine, clients, kid)
    if loc.user in ("root", "<root_account>"):
        raise RemediationError(f"{kid} is a root user key of {loc.account}: only the root user can disable it (sign in as root now)")
    cutoff = when.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    items = [
        Item(ACTIONS.get("iam_disable_access_key"), Target(loc.account, GLOBAL, ACCESS_KEY, kid), params={}),
        Item(ACTIONS.get("iam_revoke_user_sessions"), Target(loc.account, GLOBAL, USER, loc.user), params={"issued_before": cutoff}),
    ]
    plan, report = plan_and_apply(
        engine, clients, items, guardrails or GuardrailsConfig(), actor=actor, source="revoke",
        selector={"access_key_id": kid}, dry_run=dry_run, now=when, sleep=sleep,
    )  # fmt: skip
    steps = next_steps(kid, loc)
    final = report.plan if report else plan
    record(engine, actor=actor, action="keys.revoke", subject=kid, at=when, details={
        "account": loc.account, "user": loc.user, "found_via": loc.source, "status_before": loc.status,
        "sessions_revoked_before": cutoff, "plan_id": plan.id, "dry_run": dry_run,
        "changes": {c.action: c.status.value for c in final.changes},
    })  # fmt: skip
    return RevokeResult(kid, loc, cutoff, plan, report, steps)
