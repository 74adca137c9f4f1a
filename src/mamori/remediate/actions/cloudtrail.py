"""CloudTrail: restart a stopped trail; turn on log file validation.

Both act only on trails of the account itself: an organisation trail seen from a member
account belongs to the management account and is refused (fix it there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from mamori.model.resources.cloudtrail import TRAIL
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.model import ApiCall, Proposal, Target


def _owner(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _foreign(target: Target) -> str:
    owner = _owner(target.resource_id)
    if owner and owner != target.account:
        return f"the trail belongs to account {owner} (an organisation trail): fix it there"
    return ""


@register
class CloudTrailStartLogging(Action):
    name = "cloudtrail_start_logging"
    title = "Restart logging of a stopped CloudTrail trail"
    resource_type = TRAIL
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"cloudtrail_trail_not_logging": {}}
    permissions = ("cloudtrail:GetTrailStatus", "cloudtrail:StartLogging")
    reversible = False
    irreversible_reason = "mamori never stops an audit trail; stop it yourself (and record why) if you must"

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        resp = ctx.client("cloudtrail", target.region).get_trail_status(Name=target.resource_id)
        return {"is_logging": bool(resp.get("IsLogging", False))}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if state["is_logging"]:
            return Proposal(state, state, summary="the trail is logging")
        if refused := _foreign(target):
            return Proposal(state, state, refused=refused)
        call = self.call("cloudtrail", "StartLogging", target.region, "cloudtrail:StartLogging", Name=target.resource_id)
        return Proposal(state, {"is_logging": True}, (call,), "restart logging")


@register
class CloudTrailLogFileValidation(Action):
    name = "cloudtrail_enable_log_file_validation"
    title = "Turn on CloudTrail log file integrity validation"
    resource_type = TRAIL
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"cloudtrail_log_file_validation_off": {}}
    permissions = ("cloudtrail:GetTrail", "cloudtrail:UpdateTrail")

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        trail = ctx.client("cloudtrail", target.region).get_trail(Name=target.resource_id).get("Trail") or {}
        return {"log_file_validation_enabled": bool(trail.get("LogFileValidationEnabled", False))}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if state["log_file_validation_enabled"]:
            return Proposal(state, state, summary="log file validation is on")
        if refused := _foreign(target):
            return Proposal(state, state, refused=refused)
        call = self.call("cloudtrail", "UpdateTrail", target.region, "cloudtrail:UpdateTrail",
                         Name=target.resource_id, EnableLogFileValidation=True)  # fmt: skip
        return Proposal(state, {"log_file_validation_enabled": True}, (call,), "turn on log file validation")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        return [self.call("cloudtrail", "UpdateTrail", target.region, "cloudtrail:UpdateTrail",
                          Name=target.resource_id, EnableLogFileValidation=bool(prior["log_file_validation_enabled"]))]  # fmt: skip
