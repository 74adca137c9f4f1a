"""GuardDuty: enable threat detection in a region (resume a suspended detector or create one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from mamori.model.resources.guardduty import REGION
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.model import ApiCall, Proposal, Target


class DetectorParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    finding_publishing_frequency: Literal["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] = "FIFTEEN_MINUTES"


@register
class GuardDutyEnable(Action):
    name = "guardduty_enable"
    title = "Enable GuardDuty in the region"
    resource_type = REGION
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"guardduty_disabled": {}}
    permissions = (
        "guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:CreateDetector",
        "guardduty:UpdateDetector", "guardduty:DeleteDetector",
    )  # fmt: skip
    extra_statements: ClassVar[tuple[Mapping[str, Any], ...]] = (
        {
            "Sid": "GuardDutyServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "arn:aws:iam::*:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
            "Condition": {"StringLike": {"iam:AWSServiceName": "guardduty.amazonaws.com"}},
        },
    )
    Params = DetectorParams

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        gd = ctx.client("guardduty", target.region)
        ids: list[str] = []
        for page in gd.get_paginator("list_detectors").paginate():
            ids.extend(page.get("DetectorIds") or [])
        return {"detectors": {d: str(gd.get_detector(DetectorId=d).get("Status", "")) for d in sorted(ids)}}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        detectors: dict[str, str] = dict(state["detectors"])
        if any(s == "ENABLED" for s in detectors.values()):
            return Proposal(state, state, summary="GuardDuty is enabled")
        if detectors:
            d = sorted(detectors)[0]
            call = self.call("guardduty", "UpdateDetector", target.region, "guardduty:UpdateDetector", DetectorId=d, Enable=True)
            return Proposal(state, {"detectors": {**detectors, d: "ENABLED"}}, (call,), f"resume the suspended detector {d}")
        call = self.call("guardduty", "CreateDetector", target.region, "guardduty:CreateDetector",
                         Enable=True, FindingPublishingFrequency=params.finding_publishing_frequency)  # fmt: skip
        return Proposal(state, {"detectors": {"(new)": "ENABLED"}}, (call,), f"create a detector in {target.region}")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        before: dict[str, str] = dict(prior["detectors"])
        now: dict[str, str] = dict(current["detectors"])
        calls: list[ApiCall] = []
        for d, status in sorted(now.items()):
            if d not in before:
                calls.append(self.call("guardduty", "DeleteDetector", target.region, "guardduty:DeleteDetector", DetectorId=d))
            elif before[d] != status:
                calls.append(self.call("guardduty", "UpdateDetector", target.region, "guardduty:UpdateDetector",
                                       DetectorId=d, Enable=before[d] == "ENABLED"))  # fmt: skip
        return calls
