"""Property computations shared by the Terraform and CloudFormation mappers (and the
collectors' own policy analysis, reused so a verdict means the same in all three)."""

from __future__ import annotations

from typing import Any

from mamori.collect.aws.policy import public_statements
from mamori.collect.aws.services.ec2_network import sg_permissions
from mamori.collect.aws.services.iam_policy import (
    admin_statements,
    public_trust_statements,
    service_wildcard_statements,
)
from mamori.collect.aws.services.s3_policy import denies_insecure_transport
from mamori.collect.iac.adapt import derive, text
from mamori.collect.iac.values import Unknown


def policy_props(policy: Any, prefix: str = "") -> dict[str, Any]:
    """policy, policy_present, policy_public, <prefix>public_statements."""
    if policy is None:
        return {
            "policy": None,
            "policy_present": False,
            "policy_public": False,
            f"{prefix}public_statements": [],
        }
    pub = derive(public_statements, policy)
    return {"policy_present": True, "policy_public": derive(bool, pub), f"{prefix}public_statements": pub,
            "policy": policy}  # fmt: skip


def merge_policies(docs: list[Any]) -> Any:
    """Several policy documents applying to one resource (e.g. aws_sqs_queue_policy) as one."""
    if not docs:
        return None
    for d in docs:
        if isinstance(d, Unknown):
            return d
    if len(docs) == 1:
        return docs[0]
    stmts: list[Any] = []
    for d in docs:
        s = d.get("Statement", [])
        stmts.extend(s if isinstance(s, list) else [s])
    return {"Version": "2012-10-17", "Statement": stmts}


def iam_doc_props(document: Any) -> dict[str, Any]:
    admin = derive(admin_statements, document)
    return {"document": document, "allows_full_admin": derive(bool, admin), "admin_statements": admin}


def iam_policy_props(document: Any) -> dict[str, Any]:
    return {
        **iam_doc_props(document),
        "service_wildcard_statements": derive(service_wildcard_statements, document),
    }


def trust_props(document: Any) -> dict[str, Any]:
    pub = derive(public_trust_statements, document)
    return {
        "trust_policy": document,
        "trusts_any_principal": derive(bool, pub),
        "public_trust_statements": pub,
    }


def bucket_https(policy: Any, bucket: Any) -> Any:
    if policy is None:
        return False
    return derive(lambda p, b: denies_insecure_transport(p, str(b)), policy, bucket)


def sg_rules(perms: list[dict[str, Any]]) -> Any:
    """IpPermissions-shaped dicts (Unknown anywhere -> Unknown) -> the collector's entries."""
    return derive(sg_permissions, perms)


def protocol_ports(proto: Any, low: Any, high: Any) -> dict[str, Any]:
    p = str(proto).lower()
    out: dict[str, Any] = {"IpProtocol": "-1" if p in ("-1", "all") else p}
    if low is not None:
        out["FromPort"] = low
    if high is not None:
        out["ToPort"] = high
    return out


def text_and_flag(value: Any, name: str, flag: str) -> dict[str, Any]:
    """``name``: the value as text ("" when absent); ``flag``: whether it is set (e.g. a KMS key)."""
    return {name: text(value, ""), flag: derive(bool, value if value is not None else "")}


def log_group_props(days: Any, key: Any) -> dict[str, Any]:
    """aws.logs.log_group from its retention (0: never expires) and KMS key."""
    return {"retention_days": days, "never_expires": derive(lambda d: d == 0, days),
            **text_and_flag(key, "kms_key_id", "encrypted_with_kms")}  # fmt: skip


def kms_key_props(spec: Any, enabled: Any, rotation: Any, multi_region: Any) -> dict[str, Any]:
    """aws.kms.key of a customer key declared in a template."""
    return {
        "key_manager": "CUSTOMER", "key_spec": spec, "enabled": enabled,
        "key_state": derive(lambda e: "Enabled" if e else "Disabled", enabled),
        "rotation_supported": derive(lambda s: s == "SYMMETRIC_DEFAULT", spec),
        "rotation_enabled": rotation, "multi_region": multi_region,
    }  # fmt: skip


def trail_props(
    *, multi_region: Any, organization: Any, global_events: Any, validation: Any, key: Any, bucket: Any,
    log_group_arn: Any, logging: Any,
) -> dict[str, Any]:  # fmt: skip
    """aws.cloudtrail.trail from a template's trail."""
    return {
        "is_multi_region": multi_region, "is_organization_trail": organization,
        "include_global_service_events": global_events, "log_file_validation_enabled": validation,
        **text_and_flag(key, "kms_key_id", "encrypted_with_kms"),
        "s3_bucket_name": text(bucket, ""),
        **text_and_flag(log_group_arn, "cloudwatch_logs_log_group_arn", "cloudwatch_logs_enabled"),
        "is_logging": logging,
    }  # fmt: skip
