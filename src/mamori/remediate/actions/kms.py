"""KMS: turn on automatic key rotation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from mamori.model.resources.kms import KEY
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.model import ApiCall, Proposal, Target


class RotationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rotation_period_days: int | None = Field(default=None, ge=90, le=2560)
    """Rotation period; AWS's default (365 days) when not set."""


@register
class KmsEnableKeyRotation(Action):
    name = "kms_enable_key_rotation"
    title = "Turn on automatic rotation of a customer-managed KMS key"
    resource_type = KEY
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"kms_key_rotation_disabled": {}}
    permissions = ("kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation")
    Params = RotationParams

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        resp = ctx.client("kms", target.region).get_key_rotation_status(KeyId=target.resource_id)
        return {"rotation_enabled": bool(resp.get("KeyRotationEnabled", False))}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if state["rotation_enabled"]:
            return Proposal(state, state, summary="automatic rotation is on")
        extra = {"RotationPeriodInDays": params.rotation_period_days} if params.rotation_period_days else {}
        call = self.call("kms", "EnableKeyRotation", target.region, "kms:EnableKeyRotation", KeyId=target.resource_id, **extra)
        return Proposal(state, {"rotation_enabled": True}, (call,), "turn on automatic key rotation")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if prior["rotation_enabled"]:
            return []
        return [self.call("kms", "DisableKeyRotation", target.region, "kms:DisableKeyRotation", KeyId=target.resource_id)]
