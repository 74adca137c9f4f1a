"""The IAM credential report: generate it (bounded wait), fetch it, parse the CSV.

The report is the bulk source of console access, MFA, password use and access-key
activity for every user and for the root account (row ``<root_account>``). AWS builds it
at most every four hours, so users created since then are absent from it; the collector
asks about those individually.

Cell values AWS uses besides timestamps and booleans: ``N/A`` (no such credential or
never used), ``no_information`` (not used since tracking began in 2014), and
``not_supported``. Here a credential never used becomes ``"never"``; a cell that says
nothing becomes ``None`` (unknown).
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mamori.collect.aws.base import iso

ROOT_ROW = "<root_account>"
NEVER = "never"
_NEVER_CELLS = frozenset({"N/A", "no_information"})


class ReportNotReady(Exception):
    """The credential report was still being generated when the bounded wait ended."""

    code = "ReportNotReady"
    operation = "GenerateCredentialReport"


@dataclass(frozen=True)
class CredentialReport:
    """Rows by user name; ``root`` is the ``<root_account>`` row when the report has one."""

    users: dict[str, dict[str, str]] = field(default_factory=dict)
    root: dict[str, str] | None = None


def parse_report(content: bytes | str) -> CredentialReport:
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    users: dict[str, dict[str, str]] = {}
    root: dict[str, str] | None = None
    for row in csv.DictReader(io.StringIO(text)):
        name = row.get("user") or ""
        if name == ROOT_ROW:
            root = row
        elif name:
            users[name] = row
    return CredentialReport(users, root)


def fetch_report(
    client: Any,
    *,
    first_poll: float = 0.25,
    max_wait: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> CredentialReport:
    """Ask IAM for a fresh report, poll with backoff until it is COMPLETE (at most ``max_wait`` s), fetch it.

    Raises ClientError/BotoCoreError from the API, :class:`ReportNotReady` on timeout.
    """
    waited, delay = 0.0, first_poll
    while client.generate_credential_report().get("State") != "COMPLETE":
        if waited >= max_wait:
            raise ReportNotReady(f"the credential report was not ready after {waited:.0f} s")
        step = min(delay, max_wait - waited)
        sleep(step)
        waited += step
        delay *= 2
    return parse_report(client.get_credential_report()["Content"])


def timestamp(value: Any) -> str | None:
    """A datetime or an ISO-ish string as a UTC ISO string; ``None`` if it is not a time."""
    if isinstance(value, datetime):
        return str(iso(value))
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return str(iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)))


def last_used(cell: str | None) -> str | None:
    """A *last used* cell: a timestamp, ``"never"``, or ``None`` when the report does not say."""
    if cell in _NEVER_CELLS:
        return NEVER
    return timestamp(cell)


def flag(cell: str | None) -> bool | None:
    if cell == "true":
        return True
    if cell == "false":
        return False
    return None


def plain(cell: str | None) -> str:
    """A free-text cell (region, service): ``""`` when the report has nothing to say."""
    return "" if cell in (None, "", "N/A", "not_supported", "no_information") else str(cell)


def key_slots(row: dict[str, str]) -> list[dict[str, Any]]:
    """The (up to two) access keys a report row describes, in slot order."""
    out: list[dict[str, Any]] = []
    for n in (1, 2):
        rotated = timestamp(row.get(f"access_key_{n}_last_rotated"))
        if rotated is None:
            continue
        out.append(
            {
                "slot": n,
                "active": flag(row.get(f"access_key_{n}_active")),
                "last_rotated": rotated,
                "last_used_date": last_used(row.get(f"access_key_{n}_last_used_date")),
                "last_used_region": plain(row.get(f"access_key_{n}_last_used_region")),
                "last_used_service": plain(row.get(f"access_key_{n}_last_used_service")),
            }
        )
    return out


def latest(values: list[str | None]) -> str | None:
    """The latest of some *last used* values: a timestamp, ``"never"``, or ``None`` if any is unknown."""
    if any(v is None for v in values):
        return None
    times = [v for v in values if v and v != NEVER]
    return max(times, key=lambda t: datetime.fromisoformat(t)) if times else NEVER
