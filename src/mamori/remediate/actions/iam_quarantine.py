"""IAM: quarantine a principal — an inline deny policy on a user or a role.

Used by the event responder ``quarantine_principal`` (a repeat offender tampering with
CloudTrail); bound to no posture rule. The default denies the CloudTrail tampering
actions; ``actions: ["*"]`` denies everything. Reversible: rollback deletes the policy
(or puts back the one that was there), so ``mamori remediate rollback`` lifts the
quarantine once the incident is closed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from mamori.model.resources.iam import ROLE, USER
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.actions._util import or_absent
from mamori.remediate.model import ApiCall, Proposal, Target

DEFAULT_POLICY_NAME = "mamori-quarantine"
DEFAULT_QUARANTINE_ACTIONS = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:PutInsightSelectors",
)
AWS_MANAGED_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")


class QuarantineParams(BaseModel):
    # Python's re for the pattern: pydantic's default (Rust regex) builds a Unicode \w{1,128}
    # automaton at import, ~0.1 s of every command that loads the responders (events replay).
    model_config = ConfigDict(extra="forbid", frozen=True, regex_engine="python-re")

    policy_name: str = Field(default=DEFAULT_POLICY_NAME, pattern=r"^[\w+=,.@-]{1,128}$")
    actions: tuple[str, ...] = Field(default=DEFAULT_QUARANTINE_ACTIONS, min_length=1)
    """IAM actions denied (``["*"]``: everything)."""


def quarantine_policy(actions: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "MamoriQuarantine", "Effect": "Deny", "Action": list(actions), "Resource": "*"}],
    }


class _Quarantine(Action):
    """Shared by the user and the role variant: only the IAM operation names differ."""

    kind: ClassVar[str]  # "User" or "Role"
    Params = QuarantineParams

    def _key(self) -> str:
        return f"{self.kind}Name"

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        iam = ctx.client("iam", "global")
        get = getattr(iam, f"get_{self.kind.lower()}_policy")
        resp = or_absent(lambda: get(**{self._key(): target.resource_id, "PolicyName": params.policy_name}), ("NoSuchEntity",))
        doc = None if resp is None else resp.get("PolicyDocument")
        return {"policy": json.loads(doc) if isinstance(doc, str) else doc}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        doc = quarantine_policy(params.actions)
        if state.get("policy") == doc:
            return Proposal(state, state, summary=f"{target.resource_id} is already quarantined ({params.policy_name})")
        if any(p in target.arn for p in AWS_MANAGED_ROLE_PATHS):
            return Proposal(state, state, refused="an AWS-managed role cannot be given policies")
        call = self.call("iam", f"Put{self.kind}Policy", "global", f"iam:Put{self.kind}Policy",
                         **{self._key(): target.resource_id}, PolicyName=params.policy_name, PolicyDocument=json.dumps(doc))  # fmt: skip
        summary = f"attach deny policy {params.policy_name} ({', '.join(params.actions)}) to {target.arn or target.resource_id}"
        return Proposal(state, {"policy": doc}, (call,), summary)

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        who = {self._key(): target.resource_id, "PolicyName": params.policy_name}
        if prior.get("policy") is None:
            return [self.call("iam", f"Delete{self.kind}Policy", "global", f"iam:Delete{self.kind}Policy", **who)]
        return [self.call("iam", f"Put{self.kind}Policy", "global", f"iam:Put{self.kind}Policy", **who, PolicyDocument=json.dumps(prior["policy"]))]


@register
class IamQuarantineUser(_Quarantine):
    name = "iam_quarantine_user"
    title = f"Quarantine an IAM user: an inline deny policy (default {DEFAULT_POLICY_NAME})"
    resource_type = USER
    kind = "User"
    permissions = ("iam:GetUserPolicy", "iam:PutUserPolicy", "iam:DeleteUserPolicy")


@register
class IamQuarantineRole(_Quarantine):
    name = "iam_quarantine_role"
    title = f"Quarantine an IAM role (every session of it): an inline deny policy (default {DEFAULT_POLICY_NAME})"
    resource_type = ROLE
    kind = "Role"
    permissions = ("iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy")
