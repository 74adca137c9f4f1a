"""The least-privilege IAM policy of mamori's remediation role, generated from the actions.

Each action declares every IAM action its reads, changes and rollbacks need; the policy
allows exactly their union (one statement per service), plus the statements some
actions need with conditions (e.g. GuardDuty's service-linked role). Collecting (scans)
needs read-only permissions on top: ``SecurityAudit`` + ``ViewOnlyAccess``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mamori.remediate.action import Action, load_actions

BASE = ("sts:GetCallerIdentity",)


def policy(actions: Iterable[Action] | None = None) -> dict[str, Any]:
    chosen = list(actions) if actions is not None else load_actions().values()
    by_service: dict[str, set[str]] = {}
    for perm in BASE:
        by_service.setdefault(perm.split(":", 1)[0], set()).add(perm)
    extra: list[dict[str, Any]] = []
    for a in chosen:
        for perm in a.permissions:
            by_service.setdefault(perm.split(":", 1)[0], set()).add(perm)
        for st in a.extra_statements:
            if dict(st) not in extra:
                extra.append(dict(st))
    statements: list[dict[str, Any]] = [
        {"Sid": f"Mamori{svc.title().replace('-', '')}", "Effect": "Allow", "Action": sorted(perms), "Resource": "*"}
        for svc, perms in sorted(by_service.items())
    ]
    return {"Version": "2012-10-17", "Statement": statements + extra}
