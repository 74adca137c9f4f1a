"""Responders that change AWS: restart a trail, quarantine a principal, disable an access key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from mamori.events.errors import ResponderError
from mamori.events.record import PrincipalType
from mamori.events.responders.base import ApiCall, Plan, Responder, ResponseEnv, register

if TYPE_CHECKING:
    from mamori.events.engine import Match

DEFAULT_QUARANTINE_ACTIONS = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:PutInsightSelectors",
)
DEFAULT_POLICY_NAME = "mamori-quarantine"


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
    permissions = ("cloudtrail:StartLogging", "cloudtrail:GetTrailStatus")
    description = "cloudtrail:StartLogging on the trail named in the event, in its account and region"

    def plan(self, match: Match, params: Mapping[str, Any]) -> Plan:
        trail = _get(match.record, "requestParameters", "name")
        account, region = match.account, match.region
        if not isinstance(trail, str) or not trail:
            return Plan(self.name, "restart the trail", account, region, feasible=False, reason="the event names no trail")
        if trail.startswith("arn:"):
            # arn:aws:cloudtrail:<region>:<account>:trail/<name>: the trail's home region
            parts = trail.split(":")
            if len(parts) >= 6:
                region, account = parts[3] or region, parts[4] or account
        return Plan(
            self.name, f"restart logging on trail {trail}", account, region,
            calls=(ApiCall("cloudtrail", "StartLogging", {"Name": trail}),),
        )  # fmt: skip

    def verify(self, plan: Plan, env: ResponseEnv) -> dict[str, Any]:
        assert env.clients is not None
        name = plan.calls[0].params["Name"]
        try:
            status = env.clients.client("cloudtrail", plan.account, plan.region).get_trail_status(Name=name)
        except (ClientError, BotoCoreError) as exc:
            raise ResponderError(f"cloudtrail:GetTrailStatus({name!r}) failed after StartLogging: {exc}") from exc
        if not status.get("IsLogging"):
            raise ResponderError(f"trail {name} is still not logging after StartLogging")
        return {"verified": {"IsLogging": True}}


def quarantine_policy(actions: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "MamoriQuarantine", "Effect": "Deny", "Action": list(actions), "Resource": "*"}],
    }


@register
class QuarantinePrincipal(Responder):
    """Attach an inline deny policy to the principal (a user or the role behind a session).

    Params: ``policy_name`` (default ``mamori-quarantine``), ``actions`` (default: the
    CloudTrail tampering actions; ``["*"]`` denies everything), ``exempt`` (exact ARNs
    never quarantined, e.g. break-glass roles).
    """

    name = "quarantine_principal"
    permissions = ("iam:PutUserPolicy", "iam:PutRolePolicy")
    description = "inline deny policy on the offending IAM user (PutUserPolicy) or role (PutRolePolicy)"

    def plan(self, match: Match, params: Mapping[str, Any]) -> Plan:
        p = match.principal
        policy_name = str(params.get("policy_name") or DEFAULT_POLICY_NAME)
        actions = list(params.get("actions") or DEFAULT_QUARANTINE_ACTIONS)
        action = f"attach deny policy {policy_name} ({', '.join(actions)}) to {p.arn}"
        account = p.account or match.account
        if p.arn in set(params.get("exempt") or ()):
            return Plan(self.name, action, account, "us-east-1", feasible=False, reason="the principal is exempt")
        doc = json.dumps(quarantine_policy(actions), separators=(",", ":"))
        if p.type is PrincipalType.IAM_USER:
            call = ApiCall("iam", "PutUserPolicy", {"UserName": p.name, "PolicyName": policy_name, "PolicyDocument": doc})
        elif p.type is PrincipalType.ROLE:
            role_name = p.arn.rsplit("/", 1)[-1]
            if "/aws-service-role/" in p.arn or "/aws-reserved/" in p.arn:
                return Plan(self.name, action, account, "us-east-1", feasible=False, reason="an AWS-managed role cannot be given policies")
            call = ApiCall("iam", "PutRolePolicy", {"RoleName": role_name, "PolicyName": policy_name, "PolicyDocument": doc})
        else:
            return Plan(
                self.name, action, account, "us-east-1", feasible=False,
                reason=f"a {p.type.value} principal cannot be given an IAM policy (use an SCP)",
            )  # fmt: skip
        return Plan(self.name, action, account, "us-east-1", calls=(call,))


@register
class DisableAccessKey(Responder):
    """Set an access key Inactive (UpdateAccessKey). Param ``key``: ``created`` (the key the
    event created, in ``responseElements.accessKey``) or ``caller`` (the key that made the call)."""

    name = "disable_access_key"
    permissions = ("iam:UpdateAccessKey",)
    description = "iam:UpdateAccessKey Status=Inactive for the new key (backdoor) or the caller's key"

    def plan(self, match: Match, params: Mapping[str, Any]) -> Plan:
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
        action = f"disable access key {key or '?'} of {user or '?'}"
        if not isinstance(key, str) or not key:
            return Plan(self.name, action, account, "us-east-1", feasible=False, reason="the event names no access key")
        if key.startswith("ASIA"):
            return Plan(self.name, action, account, "us-east-1", feasible=False, reason="temporary credentials cannot be disabled; revoke the role's sessions")
        if p.type is PrincipalType.ROOT and which == "caller":
            return Plan(self.name, action, account, "us-east-1", feasible=False, reason="root keys are managed by the root user only")
        if not isinstance(user, str) or not user:
            return Plan(self.name, action, account, "us-east-1", feasible=False, reason="the key's user is unknown")
        call = ApiCall("iam", "UpdateAccessKey", {"UserName": user, "AccessKeyId": key, "Status": "Inactive"})
        return Plan(self.name, action, account, "us-east-1", calls=(call,))
