"""IAM entities from GetAccountAuthorizationDetails: policies, roles, inline policies, attachments.

Pure builders over the (already fetched) authorization details, used by the IAM
collector: customer managed policies (``aws.iam.policy``), roles (``aws.iam.role``),
inline policies of users, groups and roles (``aws.iam.inline_policy``), and the
account-wide facts about AWS managed policies attached anywhere (the support role of
CIS 1.17, AWSCloudShellFullAccess of CIS 1.22 / FSBP IAM.27).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import CollectContext, iso, tags_of
from mamori.collect.aws.services.iam_policy import (
    admin_statements,
    decode_document,
    public_trust_statements,
    service_wildcard_statements,
)
from mamori.collect.aws.services.iam_report import NEVER, plain, timestamp
from mamori.model.resource import GLOBAL, Resource
from mamori.model.resources.iam import IamInlinePolicy, IamPolicy, IamRole

DETAIL_FILTER = ["User", "Group", "Role", "LocalManagedPolicy"]
DETAIL_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

SUPPORT_POLICY = "AWSSupportAccess"
CLOUDSHELL_POLICY = "AWSCloudShellFullAccess"

# (detail list, name key, inline policy list key, identity type)
_IDENTITIES = (
    ("UserDetailList", "UserName", "UserPolicyList", "user"),
    ("GroupDetailList", "GroupName", "GroupPolicyList", "group"),
    ("RoleDetailList", "RoleName", "RolePolicyList", "role"),
)


def authorization_details(iam: Any) -> dict[str, list[Any]]:
    """Every page of GetAccountAuthorizationDetails, merged (raises on failure)."""
    out: dict[str, list[Any]] = {k: [] for k in DETAIL_KEYS}
    for page in iam.get_paginator("get_account_authorization_details").paginate(Filter=DETAIL_FILTER):
        for k in DETAIL_KEYS:
            out[k].extend(page.get(k, []))
    return out


def policy_resource(ctx: CollectContext, p: dict[str, Any]) -> Resource:
    default: dict[str, Any] = next((v for v in p.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), {})
    doc = decode_document(default.get("Document"))
    admin = admin_statements(doc)
    props = {
        "policy_id": p.get("PolicyId"),
        "path": p.get("Path"),
        "description": p.get("Description", ""),
        "default_version_id": p.get("DefaultVersionId"),
        "attachment_count": p.get("AttachmentCount", 0),
        "attachable": p.get("IsAttachable", True),
        "created": timestamp(p.get("CreateDate")),
        "updated": timestamp(p.get("UpdateDate")),
        "document": doc,
        "allows_full_admin": None if doc is None else bool(admin),
        "admin_statements": None if doc is None else admin,
        "service_wildcard_statements": None if doc is None else service_wildcard_statements(doc),
    }
    name = str(p["PolicyName"]) if p.get("PolicyName") else str(p["Arn"]).rsplit("/", 1)[-1]
    return ctx.resource(IamPolicy.of(props), GLOBAL, name, arn=str(p.get("Arn", "")), name=name)


def role_resource(ctx: CollectContext, r: dict[str, Any]) -> Resource:
    trust = decode_document(r.get("AssumeRolePolicyDocument"))
    public = public_trust_statements(trust)
    last = r.get("RoleLastUsed") or {}
    props = {
        "role_id": r.get("RoleId"),
        "path": r.get("Path"),
        "created": timestamp(r.get("CreateDate")),
        "service_linked": str(r.get("Path", "")).startswith("/aws-service-role/"),
        "trust_policy": trust,
        "trusts_any_principal": None if trust is None else bool(public),
        "public_trust_statements": None if trust is None else public,
        "attached_policies": _attached(r),
        "inline_policies": [p.get("PolicyName") for p in r.get("RolePolicyList", [])],
        "last_used_date": timestamp(last.get("LastUsedDate")) or NEVER,
        "last_used_region": plain(last.get("Region")),
    }
    name = str(r["RoleName"])
    return ctx.resource(IamRole.of(props), GLOBAL, name, arn=str(r.get("Arn", "")), name=name, tags=tags_of(r.get("Tags")))


def inline_policy_resources(ctx: CollectContext, details: dict[str, list[Any]]) -> Iterator[Resource]:
    """One resource per inline policy of a user, group or role; id ``<type>/<identity>/<policy>``."""
    for list_key, name_key, policies_key, kind in _IDENTITIES:
        for identity in details.get(list_key, []):
            owner = str(identity.get(name_key, ""))
            for p in identity.get(policies_key, []):
                name = str(p.get("PolicyName", ""))
                doc = decode_document(p.get("PolicyDocument"))
                admin = admin_statements(doc)
                props = {
                    "identity_type": kind,
                    "identity_name": owner,
                    "identity_arn": identity.get("Arn"),
                    "policy_name": name,
                    "document": doc,
                    "allows_full_admin": None if doc is None else bool(admin),
                    "admin_statements": None if doc is None else admin,
                }
                rid = f"{kind}/{owner}/{name}"
                yield ctx.resource(IamInlinePolicy.of(props), GLOBAL, rid, name=rid)


def managed_attachments(details: dict[str, list[Any]]) -> dict[str, Any]:
    """Account-wide facts: roles holding AWSSupportAccess, identities holding AWSCloudShellFullAccess."""
    support: list[str] = []
    cloudshell: list[dict[str, str]] = []
    for list_key, name_key, _, kind in _IDENTITIES:
        for identity in details.get(list_key, []):
            names = {str(a["arn"]).rsplit("/", 1)[-1] for a in _attached(identity) if _aws_managed(a["arn"])}
            if kind == "role" and SUPPORT_POLICY in names:
                support.append(str(identity.get(name_key, "")))
            if CLOUDSHELL_POLICY in names:
                cloudshell.append({"type": kind, "name": str(identity.get(name_key, ""))})
    return {"support_roles": sorted(support), "cloudshell_full_access": cloudshell}


def server_certificate(meta: dict[str, Any]) -> dict[str, Any]:
    """One ListServerCertificates entry as a plain record."""
    return {
        "name": meta.get("ServerCertificateName"),
        "arn": meta.get("Arn"),
        "path": meta.get("Path"),
        "uploaded": iso(meta.get("UploadDate")),
        "expiration": iso(meta.get("Expiration")),
    }


def _aws_managed(arn: Any) -> bool:
    return ":iam::aws:policy/" in str(arn or "")


def _attached(identity: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": p.get("PolicyName"), "arn": p.get("PolicyArn")} for p in identity.get("AttachedManagedPolicies", [])
    ]
