"""IAM: disable and delete access keys; revoke a user's sessions issued before a point in time.

Access keys are found by id alone: GetAccessKeyLastUsed names the key's user. Keys known
only from the credential report (ids like ``<user>/access_key_1``, when ListAccessKeys
failed during the scan) cannot be acted on; re-scan first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from mamori.model.resources.iam import ACCESS_KEY, USER
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.actions._util import or_absent
from mamori.remediate.errors import ActionError
from mamori.remediate.model import ApiCall, Proposal, Target

REVOKE_POLICY = "mamori-revoke-sessions"


def read_key(ctx: ActionContext, key_id: str) -> dict[str, Any]:
    """{exists, user, status} of an access key of this account, by id."""
    if "/" in key_id or not key_id.isalnum():
        raise ActionError(f"{key_id!r} is not an access key id (keys known only from the credential report need a re-scan)")
    iam = ctx.client("iam", "global")
    last = or_absent(lambda: iam.get_access_key_last_used(AccessKeyId=key_id), ("NoSuchEntity", "AccessDenied"))
    user = str((last or {}).get("UserName") or "")
    if not user:
        return {"exists": False, "user": "", "status": ""}
    for page in iam.get_paginator("list_access_keys").paginate(UserName=user):
        for meta in page.get("AccessKeyMetadata") or []:
            if meta.get("AccessKeyId") == key_id:
                return {"exists": True, "user": user, "status": str(meta.get("Status", ""))}
    return {"exists": False, "user": user, "status": ""}


_KEY_PERMS = ("iam:GetAccessKeyLastUsed", "iam:ListAccessKeys")


@register
class IamDisableAccessKey(Action):
    name = "iam_disable_access_key"
    title = "Disable (deactivate) an IAM access key"
    resource_type = ACCESS_KEY
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"iam_access_key_older_than_90_days": {}}
    permissions = (*_KEY_PERMS, "iam:UpdateAccessKey")

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        return read_key(ctx, target.resource_id)

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if not state["exists"]:
            return Proposal(state, state, summary="the key no longer exists")
        if state["status"] != "Active":
            return Proposal(state, state, summary="the key is inactive")
        call = self.call("iam", "UpdateAccessKey", "global", "iam:UpdateAccessKey",
                         UserName=state["user"], AccessKeyId=target.resource_id, Status="Inactive")  # fmt: skip
        return Proposal(state, {**state, "status": "Inactive"}, (call,), f"disable {state['user']}'s key {target.resource_id}")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if not current.get("exists"):
            return []  # deleted since: nothing to re-enable (restored() will say it was not restored)
        return [self.call("iam", "UpdateAccessKey", "global", "iam:UpdateAccessKey",
                          UserName=prior["user"], AccessKeyId=target.resource_id, Status=prior["status"])]  # fmt: skip


@register
class IamDeleteAccessKey(Action):
    name = "iam_delete_access_key"
    title = "Delete an inactive IAM access key"
    resource_type = ACCESS_KEY
    permissions = (*_KEY_PERMS, "iam:DeleteAccessKey")
    reversible = False
    irreversible_reason = "a deleted access key cannot be restored; the user needs a new key"

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        return read_key(ctx, target.resource_id)

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if not state["exists"]:
            return Proposal(state, state, summary="the key no longer exists")
        if state["status"] == "Active":
            return Proposal(state, state, refused="the key is active: disable it first (and wait for the grace period)")
        call = self.call("iam", "DeleteAccessKey", "global", "iam:DeleteAccessKey", UserName=state["user"], AccessKeyId=target.resource_id)
        return Proposal(state, {"exists": False, "user": state["user"], "status": ""}, (call,), f"delete {state['user']}'s inactive key {target.resource_id}")


class RevokeParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    issued_before: str
    """Deny every request signed with credentials issued before this time (ISO 8601, UTC)."""

    @field_validator("issued_before")
    @classmethod
    def _iso(cls, v: str) -> str:
        datetime.fromisoformat(v.replace("Z", "+00:00"))
        return v


def revoke_document(issued_before: str) -> dict[str, Any]:
    """The deny-all policy the IAM console's "Revoke active sessions" attaches, keyed on aws:TokenIssueTime."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "MamoriRevokeOlderSessions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": issued_before}},
            }
        ],
    }


@register
class IamRevokeUserSessions(Action):
    name = "iam_revoke_user_sessions"
    title = f"Revoke a user's temporary credentials issued before a time (inline policy {REVOKE_POLICY})"
    resource_type = USER
    permissions = ("iam:GetUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy")
    Params = RevokeParams

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        iam = ctx.client("iam", "global")
        resp = or_absent(lambda: iam.get_user_policy(UserName=target.resource_id, PolicyName=REVOKE_POLICY), ("NoSuchEntity",))
        doc = None if resp is None else resp.get("PolicyDocument")
        if isinstance(doc, str):
            doc = json.loads(doc)
        return {"policy": doc}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        doc = revoke_document(params.issued_before)
        if state.get("policy") == doc:
            return Proposal(state, state, summary=f"sessions issued before {params.issued_before} are already revoked")
        call = self.call("iam", "PutUserPolicy", "global", "iam:PutUserPolicy",
                         UserName=target.resource_id, PolicyName=REVOKE_POLICY, PolicyDocument=json.dumps(doc))  # fmt: skip
        return Proposal(state, {"policy": doc}, (call,), f"deny {target.resource_id}'s sessions issued before {params.issued_before}")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if prior.get("policy") is None:
            return [self.call("iam", "DeleteUserPolicy", "global", "iam:DeleteUserPolicy", UserName=target.resource_id, PolicyName=REVOKE_POLICY)]
        return [self.call("iam", "PutUserPolicy", "global", "iam:PutUserPolicy",
                          UserName=target.resource_id, PolicyName=REVOKE_POLICY, PolicyDocument=json.dumps(prior["policy"]))]  # fmt: skip
