"""Service Control Policies mamori generates (pure: options in, policy documents out).

Each policy is a list of Deny statements. The denies exempt the break-glass role (when
given) through ``ArnNotLike aws:PrincipalArn``; the protection of mamori's own roles,
stacks and rules also exempts the StackSets execution role (``stacksets-exec-*``) that
deploys them. SCPs never restrict the management account or service-linked roles (AWS's
rule, not ours): docs/guardrails.md explains each policy and how to roll it out.

A policy above AWS's limit (5,120 characters, minified) is split into ``<name>-1``,
``<name>-2``, ... by statement, and a statement too large on its own by its action list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mamori.errors import InputError

SCP_MAX_CHARS = 5120
PREFIX = "mamori-"

# Actions of global services (and global calls of regional ones) the Region deny must not
# block: AWS's documented example "Deny access to AWS based on the requested AWS Region"
# (Organizations user guide, example SCPs), minus prefixes the IAM reference no longer lists.
GLOBAL_ACTIONS: tuple[str, ...] = (
    "a4b:*", "access-analyzer:*", "account:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*",
    "aws-portal:*", "billing:*", "budgets:*", "ce:*", "chime:*", "cloudfront:*", "config:*", "cur:*",
    "directconnect:*", "ec2:DescribeRegions", "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways",
    "fms:*", "globalaccelerator:*", "health:*", "iam:*", "importexport:*", "kms:*", "networkmanager:*",
    "organizations:*", "pricing:*", "route53:*", "route53domains:*", "route53-recovery-cluster:*",
    "route53-recovery-control-config:*", "route53-recovery-readiness:*", "s3:CreateMultiRegionAccessPoint",
    "s3:DeleteMultiRegionAccessPoint", "s3:DescribeMultiRegionAccessPointOperation",
    "s3:GetAccountPublicAccessBlock", "s3:GetBucketLocation", "s3:GetMultiRegionAccessPoint",
    "s3:GetMultiRegionAccessPointPolicy", "s3:GetMultiRegionAccessPointPolicyStatus", "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublicAccessBlock", "shield:*", "sts:*", "support:*",
    "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*", "wellarchitected:*",
)  # fmt: skip

SECURITY_SERVICE_ACTIONS: tuple[str, ...] = (
    # CloudTrail: stop, delete or weaken a trail
    "cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
    # GuardDuty: delete or disable a detector, leave the administrator
    "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:DisassociateFromMasterAccount",
    "guardduty:DisassociateFromAdministratorAccount", "guardduty:DeleteMembers", "guardduty:StopMonitoringMembers",
    # AWS Config: stop or delete the recorder or its delivery channel
    "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
    "config:DeleteConfigurationAggregator", "config:DeleteAggregationAuthorization",
    # Security Hub: disable it or leave the administrator
    "securityhub:DisableSecurityHub", "securityhub:DisassociateFromMasterAccount",
    "securityhub:DisassociateFromAdministratorAccount", "securityhub:DeleteMembers",
    # IAM Access Analyzer
    "access-analyzer:DeleteAnalyzer",
    # VPC flow logs
    "ec2:DeleteFlowLogs",
)  # fmt: skip

ROLE_CHANGE_ACTIONS: tuple[str, ...] = (
    "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
)  # fmt: skip
STACK_CHANGE_ACTIONS: tuple[str, ...] = (
    "cloudformation:CancelUpdateStack", "cloudformation:ContinueUpdateRollback", "cloudformation:CreateChangeSet",
    "cloudformation:DeleteStack", "cloudformation:ExecuteChangeSet", "cloudformation:SetStackPolicy",
    "cloudformation:UpdateStack", "cloudformation:UpdateTerminationProtection",
)  # fmt: skip
RULE_CHANGE_ACTIONS: tuple[str, ...] = (
    "events:DeleteRule", "events:DisableRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets",
)  # fmt: skip

STACKSETS_EXEC_ROLE = "arn:aws:iam::*:role/stacksets-exec-*"
"""The role service-managed StackSets assume in member accounts to deploy (and update) stacks."""


@dataclass(frozen=True)
class ScpOptions:
    """What to generate. Empty ``allowed_regions``: no Region policy."""

    allowed_regions: tuple[str, ...] = ()
    protect_role_pattern: str = "mamori-*"
    break_glass_role: str | None = None

    def exempt(self) -> list[str]:
        return [self.break_glass_role] if self.break_glass_role else []


@dataclass(frozen=True)
class Scp:
    name: str
    description: str
    document: dict[str, Any] = field(hash=False, compare=True)

    @property
    def content(self) -> str:
        """The minified JSON, as stored in Organizations and measured against the limit."""
        return minify(self.document)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "content": self.content}


def minify(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), sort_keys=False)


def _deny(sid: str, *, actions: Iterable[str] = (), not_actions: Iterable[str] = (), resources: Iterable[str] = ("*",),
          exempt: Iterable[str] = (), condition: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    stmt: dict[str, Any] = {"Sid": sid, "Effect": "Deny"}
    if not_actions:
        stmt["NotAction"] = list(not_actions)
    else:
        stmt["Action"] = list(actions)
    res = list(resources)
    stmt["Resource"] = res[0] if res == ["*"] else res
    cond: dict[str, Any] = dict(condition or {})
    ex = list(exempt)
    if ex:
        cond["ArnNotLike"] = {"aws:PrincipalArn": ex}
    if cond:
        stmt["Condition"] = cond
    return stmt


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def generate(opts: ScpOptions) -> list[Scp]:
    """Every policy, in a stable order, each within :data:`SCP_MAX_CHARS` (split if needed)."""
    ex = opts.exempt()
    pat = opts.protect_role_pattern
    out: list[Scp] = [
        Scp(
            f"{PREFIX}deny-access-keys",
            "Deny creating IAM access keys and console passwords (use roles and SSO)"
            + (" except the break-glass role" if ex else ""),
            _doc(_deny("DenyLongLivedCredentials", actions=["iam:CreateAccessKey", "iam:CreateLoginProfile",
                                                             "iam:UpdateLoginProfile"], exempt=ex)),
        ),  # fmt: skip
    ]
    if opts.allowed_regions:
        out.append(
            Scp(
                f"{PREFIX}deny-regions",
                "Deny Regions other than " + ", ".join(opts.allowed_regions) + " (global services excepted)",
                _doc(_deny("DenyOtherRegions", not_actions=GLOBAL_ACTIONS, exempt=ex,
                           condition={"StringNotEquals": {"aws:RequestedRegion": list(opts.allowed_regions)}})),
            )  # fmt: skip
        )
    out += [
        Scp(f"{PREFIX}deny-leave-organization", "Deny leaving the organization",
            _doc(_deny("DenyLeaveOrganization", actions=["organizations:LeaveOrganization"], exempt=ex))),
        Scp(
            f"{PREFIX}protect-security-services",
            "Deny stopping or deleting CloudTrail, GuardDuty, Config, Security Hub, Access Analyzer and flow logs",
            _doc(_deny("ProtectSecurityServices", actions=SECURITY_SERVICE_ACTIONS,
                       exempt=[*ex, f"arn:aws:iam::*:role/{pat}", STACKSETS_EXEC_ROLE])),
        ),
        Scp(
            f"{PREFIX}protect-mamori",
            f"Deny changing mamori's roles, stacks and event rules ({pat}) except through StackSets"
            + (" or break-glass" if ex else ""),
            _doc(
                _deny("ProtectMamoriRoles", actions=ROLE_CHANGE_ACTIONS, resources=[f"arn:aws:iam::*:role/{pat}"],
                      exempt=[*ex, STACKSETS_EXEC_ROLE]),
                _deny("ProtectMamoriStacks", actions=STACK_CHANGE_ACTIONS,
                      resources=[f"arn:aws:cloudformation:*:*:stack/{pat}/*",
                                 f"arn:aws:cloudformation:*:*:stack/StackSet-{pat}/*"],
                      exempt=[*ex, STACKSETS_EXEC_ROLE]),
                _deny("ProtectMamoriRules", actions=RULE_CHANGE_ACTIONS, resources=[f"arn:aws:events:*:*:rule/{pat}"],
                      exempt=[*ex, STACKSETS_EXEC_ROLE]),
            ),
        ),
        Scp(f"{PREFIX}deny-root", "Deny every action of the root user in member accounts",
            _doc(_deny("DenyRootUser", actions=["*"], condition={"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}))),
    ]  # fmt: skip
    return [p for scp in out for p in split(scp)]


def split(scp: Scp, limit: int = SCP_MAX_CHARS) -> list[Scp]:
    """``scp`` itself when it fits, else parts that each fit (statements, then action lists, halved)."""
    if len(scp.content) <= limit:
        return [scp]
    stmts = list(scp.document["Statement"])
    if len(stmts) == 1:
        stmt = stmts[0]
        key = "Action" if isinstance(stmt.get("Action"), list) else None
        if key is None or len(stmt[key]) < 2:
            raise InputError(f"policy {scp.name} is {len(scp.content)} characters and cannot be split (limit {limit})")
        half = len(stmt[key]) // 2
        stmts = [stmt | {key: stmt[key][:half], "Sid": stmt["Sid"] + "A"},
                 stmt | {key: stmt[key][half:], "Sid": stmt["Sid"] + "B"}]  # fmt: skip
    mid = len(stmts) // 2
    halves = [stmts[:mid], stmts[mid:]]
    parts: list[Scp] = []
    for i, part in enumerate(halves, 1):
        parts += split(Scp(f"{scp.name}-{i}", f"{scp.description} (part {i})", _doc(*part)), limit)
    return parts
