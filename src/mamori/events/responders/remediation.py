"""Responders that change AWS, each through a remediation action.

    restart_trail         -> cloudtrail_start_logging           (the trail the event stopped)
    quarantine_principal  -> iam_quarantine_user / _role         (the offending user, or the role behind a session)
    disable_access_key    -> iam_disable_access_key             (the key the event created, or the caller's)

Each only reads the event: which action, on which target, with which parameters. The
action itself (reads, calls, verification, rollback, IAM permissions) lives once, in
``mamori.remediate.actions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mamori.events.record import PrincipalType
from mamori.events.responders.base import Intent, Responder, register
from mamori.model.resource import GLOBAL
from mamori.model.resources.cloudtrail import TRAIL
from mamori.model.resources.iam import ACCESS_KEY, ROLE, USER
from mamori.remediate.actions.iam_quarantine import (
    AWS_MANAGED_ROLE_PATHS,
    DEFAULT_POLICY_NAME,
    DEFAULT_QUARANTINE_ACTIONS,
)
from mamori.remediate.model import Target

if TYPE_CHECKING:
    from mamori.events.matcher import Match


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, Mapping):
            return None
        d = d.get(p)
    return d


@register
class RestartTrail(Responder):
    """Start logging again on the trail the event stopped (``requestParameters.name``)."""

    name = "restart_trail"
    actions = ("cloudtrail_start_logging",)
    description = "cloudtrail:StartLogging on the trail named in the event, in its account and region"

    def decide(self, match: Match, params: Mapping[str, Any]) -> Intent:
        trail = _get(match.record, "requestParameters", "name")
        account, region = match.account, match.region
        if not isinstance(trail, str) or not trail:
            return self.refuse("restart the trail", account, region, "the event names no trail")
        if trail.startswith("arn:"):
            # arn:aws:cloudtrail:<region>:<account>:trail/<name>: the trail's home region
            parts = trail.split(":")
            if len(parts) >= 6:
                region, account = parts[3] or region, parts[4] or account
        target = Target(account, region, TRAIL, trail, trail if trail.startswith("arn:") else "")
        return self.remediate(f"restart logging on trail {trail}", "cloudtrail_start_logging", target, {"is_logging": False})


@register
class QuarantinePrincipal(Responder):
    """Attach an inline deny policy to the principal (a user or the role behind a session).

    Params: ``policy_name`` (default ``mamori-quarantine``), ``actions`` (default: the
    CloudTrail tampering actions; ``["*"]`` denies everything) — the action's parameters —
    and ``exempt`` (exact ARNs never quarantined, e.g. break-glass roles).
    """

    name = "quarantine_principal"
    actions = ("iam_quarantine_user", "iam_quarantine_role")
    description = "inline deny policy on the offending IAM user (PutUserPolicy) or role (PutRolePolicy)"

    def decide(self, match: Match, params: Mapping[str, Any]) -> Intent:
        p = match.principal
        action_params = {k: v for k, v in params.items() if k != "exempt"}
        policy_name = str(action_params.get("policy_name") or DEFAULT_POLICY_NAME)
        denied = list(action_params.get("actions") or DEFAULT_QUARANTINE_ACTIONS)
        summary = f"attach deny policy {policy_name} ({', '.join(denied)}) to {p.arn}"
        account = p.account or match.account
        if p.arn in set(params.get("exempt") or ()):
            return self.refuse(summary, account, GLOBAL, "the principal is exempt")
        if p.type is PrincipalType.IAM_USER:
            return self.remediate(summary, "iam_quarantine_user", Target(account, GLOBAL, USER, p.name, p.arn), {"policy": None}, action_params)
        if p.type is PrincipalType.ROLE:
            if any(x in p.arn for x in AWS_MANAGED_ROLE_PATHS):
                return self.refuse(summary, account, GLOBAL, "an AWS-managed role cannot be given policies")
            role = Target(account, GLOBAL, ROLE, p.arn.rsplit("/", 1)[-1], p.arn)
            return self.remediate(summary, "iam_quarantine_role", role, {"policy": None}, action_params)
        return self.refuse(summary, account, GLOBAL, f"a {p.type.value} principal cannot be given an IAM policy (use an SCP)")


@register
class DisableAccessKey(Responder):
    """Set an access key Inactive. Param ``key``: ``created`` (the key the event created, in
    ``responseElements.accessKey``) or ``caller`` (the key that made the call)."""

    name = "disable_access_key"
    actions = ("iam_disable_access_key",)
    description = "iam:UpdateAccessKey Status=Inactive for the new key (backdoor) or the caller's key"

    def decide(self, match: Match, params: Mapping[str, Any]) -> Intent:
        which = str(params.get("key") or "caller")
        rec, p = match.record, match.principal
        if which == "created":
            key = _get(rec, "responseElements", "accessKey", "accessKeyId")
            user = _get(rec, "responseElements", "accessKey", "userName") or _get(rec, "requestParameters", "userName") or p.name
            account = match.account
        else:
            key = p.access_key_id or _get(rec, "requestParameters", "accessKeyId")
            user = p.name if p.type is PrincipalType.IAM_USER else _get(rec, "requestParameters", "userName")
            account = p.account or match.account
        summary = f"disable access key {key or '?'} of {user or '?'}"
        if not isinstance(key, str) or not key:
            return self.refuse(summary, account, GLOBAL, "the event names no access key")
        if key.startswith("ASIA"):
            return self.refuse(summary, account, GLOBAL, "temporary credentials cannot be disabled; revoke the role's sessions")
        if p.type is PrincipalType.ROOT and which == "caller":
            return self.refuse(summary, account, GLOBAL, "root keys are managed by the root user only")
        if not isinstance(user, str) or not user:
            return self.refuse(summary, account, GLOBAL, "the key's user is unknown")
        implied = {"exists": True, "user": user, "status": "Active"}
        return self.remediate(summary, "iam_disable_access_key", Target(account, GLOBAL, ACCESS_KEY, key), implied)
