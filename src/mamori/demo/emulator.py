"""State the emulator's API cannot express, set in moto's in-process backend.

moto stamps every key and password with the current time and reports a root user
without MFA or keys, whatever happens; a real estate has 120-day-old keys and root
users with MFA. The demo (moto's server in this process) and the tests (``mock_aws``)
run moto in-process, so the seeders set those facts directly in moto's backend, the
way moto's own documentation suggests for ``last_used``. mamori itself still reads
everything through the AWS API. Against an emulator in another process these helpers
do nothing and say so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def _iam_backend(account: str) -> Any | None:
    try:
        from moto.iam.models import iam_backends
    except ImportError:  # pragma: no cover - moto is a dependency
        return None
    try:
        return iam_backends[account]["global"]
    except KeyError:
        return None


def backdate_access_key(account: str, user: str, index: int, days: int, *, last_used_days: int | None = None) -> bool:
    """Make a user's ``index``-th key ``days`` old (and last used ``last_used_days`` ago)."""
    backend = _iam_backend(account)
    if backend is None or user not in backend.users:
        return False
    keys = backend.users[user].access_keys
    if index >= len(keys):
        return False
    now = datetime.now(UTC).replace(tzinfo=None)
    key = keys[index]
    key.create_date = now - timedelta(days=days)
    if last_used_days is not None and key.last_used is not None:
        key.last_used._timestamp = now - timedelta(days=last_used_days)
    return True


def backdate_user(account: str, user: str, days: int) -> bool:
    """Make a user (and its console password) created ``days`` ago and never used since."""
    backend = _iam_backend(account)
    if backend is None or user not in backend.users:
        return False
    u = backend.users[user]
    then = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days)
    u.create_date = then
    if getattr(u, "password", None) is not None and hasattr(u, "password_last_changed"):
        u.password_last_changed = then
    return True


def set_root(account: str, *, mfa: bool, access_keys: bool) -> bool:
    """What GetAccountSummary reports for the root user (AccountMFAEnabled, AccountAccessKeysPresent)."""
    backend = _iam_backend(account)
    summary = getattr(backend, "account_summary", None)
    if summary is None:
        return False
    summary._account_mfa_enabled = 1 if mfa else 0
    summary._account_access_keys_present = 1 if access_keys else 0
    return True


def add_root_to_credential_report(
    account: str, *, mfa: bool, password_last_used_days: int | None, access_key_age_days: int | None
) -> bool:
    """Give moto's credential report the ``<root_account>`` row real AWS always includes."""
    backend = _iam_backend(account)
    if backend is None:
        return False
    now = datetime.now(UTC)
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"

    def ago(days: int | None) -> str:
        return "N/A" if days is None else (now - timedelta(days=days)).strftime(fmt)

    created = ago(2000)
    used = "no_information" if password_last_used_days is None else ago(password_last_used_days)
    key_active = "true" if access_key_age_days is not None else "false"
    row = ",".join(
        [
            "<root_account>", f"arn:aws:iam::{account}:root", created, "not_supported", used, "not_supported",
            "not_supported", "true" if mfa else "false", key_active, ago(access_key_age_days), "N/A", "N/A", "N/A",
            "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A",
        ]
    )  # fmt: skip
    original = backend.get_credential_report

    def with_root() -> str:
        header, _, rest = original().partition("\n")
        return f"{header}\n{row}\n{rest}"

    backend.get_credential_report = with_root
    return True
