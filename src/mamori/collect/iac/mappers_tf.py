"""Terraform (HCL and plan JSON share attribute names) -> typed properties, one mapper per type."""

from __future__ import annotations

from typing import Any

from mamori.collect.iac.adapt import (
    Index,
    Props,
    blocks,
    boolean,
    declared_address,
    declared_key_arn,
    derive,
    doc,
    first,
    integer,
    maps,
    text,
)
from mamori.collect.iac.common import (
    bucket_https,
    iam_doc_props,
    iam_policy_props,
    kms_key_props,
    log_group_props,
    merge_policies,
    policy_props,
    protocol_ports,
    sg_rules,
    text_and_flag,
    trail_props,
    trust_props,
)  # fmt: skip
from mamori.collect.iac.values import RawResource, Symbolic, Unknown

TF = "terraform"
_PUBLIC_ACLS = {
    "public-read": ["READ"],
    "public-read-write": ["READ", "WRITE"],
    "authenticated-read": ["READ"],
}


def _names(r: RawResource, *attrs: str) -> list[Any]:
    return [r.attrs.get(a) for a in attrs if isinstance(r.attrs.get(a), str)]


def _one(
    idx: Index, rtype: str, attr: str, r: RawResource, names: list[Any]
) -> tuple[RawResource | None, Unknown | None]:
    hits, doubt = idx.attached(rtype, attr, r, names)
    return (hits[-1] if hits else None), (None if hits else doubt)


@maps(TF, "aws_s3_bucket")
def s3_bucket(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    bucket = a.get("bucket")
    if bucket is None or isinstance(bucket, Unknown):
        bucket = Symbolic("${" + r.address + ".bucket}")
    names = [bucket]
    p: Props = {}
    # versioning
    ver, doubt = _one(idx, "aws_s3_bucket_versioning", "bucket", r, names)
    if ver is not None:
        p["versioning_status"] = text(first(ver.attrs.get("versioning_configuration")).get("status"), "")
        p["mfa_delete"] = derive(
            lambda s: s == "Enabled",
            text(first(ver.attrs.get("versioning_configuration")).get("mfa_delete"), ""),
        )
    elif doubt is not None:
        p["versioning_status"] = doubt
    else:
        inline = first(a.get("versioning"))
        en = boolean(inline.get("enabled") if isinstance(inline, dict) else inline, False)
        p["versioning_status"] = derive(lambda e: "Enabled" if e else "", en)
    # default encryption (AWS applies SSE-S3 to every bucket since January 2023)
    enc, doubt = _one(idx, "aws_s3_bucket_server_side_encryption_configuration", "bucket", r, names)
    conf = enc.attrs if enc is not None else first(a.get("server_side_encryption_configuration"))
    if doubt is not None:
        p["encryption_algorithm"] = doubt
        p["default_encryption_enabled"] = doubt
    else:
        rule = first(conf.get("rule")) if isinstance(conf, dict) else conf
        by_default = (
            first(rule.get("apply_server_side_encryption_by_default")) if isinstance(rule, dict) else rule
        )
        algo = by_default.get("sse_algorithm") if isinstance(by_default, dict) else by_default
        p["encryption_algorithm"] = text(algo, "AES256")
        p["default_encryption_enabled"] = True
        key = by_default.get("kms_master_key_id") if isinstance(by_default, dict) else None
        p["encryption_kms_key_id"] = text(key, "")
        p["bucket_key_enabled"] = boolean(
            rule.get("bucket_key_enabled") if isinstance(rule, dict) else None, False
        )
    # access logging
    log, doubt = _one(idx, "aws_s3_bucket_logging", "bucket", r, names)
    if log is not None:
        p["access_logging_enabled"] = derive(bool, log.attrs.get("target_bucket"))
        p["access_logging_target"] = text(log.attrs.get("target_bucket"), "")
    elif doubt is not None:
        p["access_logging_enabled"] = doubt
    else:
        inline = first(a.get("logging"))
        p["access_logging_enabled"] = derive(
            lambda t: bool(t), inline.get("target_bucket") if isinstance(inline, dict) else inline
        )
    # policy
    pol, doubt = _one(idx, "aws_s3_bucket_policy", "bucket", r, names)
    policy = (
        doubt
        if doubt is not None
        else doc(pol.attrs.get("policy"))
        if pol is not None
        else doc(a.get("policy"))
    )
    p.update(policy_props(policy, prefix="policy_"))
    p.pop("policy_public_statements", None)
    p["policy_public_statements"] = policy_props(policy, prefix="x_")["x_public_statements"]
    p["policy_public_source"] = "" if policy is None else "policy"
    p["denies_insecure_transport"] = bucket_https(policy, bucket)
    # Block Public Access (on by default for buckets created since April 2023)
    pab, doubt = _one(idx, "aws_s3_bucket_public_access_block", "bucket", r, names)
    keys = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
    if pab is not None:
        vals = {k: boolean(pab.attrs.get(k), False) for k in keys}
        p["public_access_block"] = vals
        p["public_access_block_configured"] = True
        p["public_access_block_enabled"] = derive(lambda v: all(v.values()), vals)
    elif doubt is not None:
        p["public_access_block"] = doubt
        p["public_access_block_enabled"] = doubt
    else:
        p["public_access_block"] = dict.fromkeys(keys, True)
        p["public_access_block_configured"] = False
        p["public_access_block_enabled"] = True
    acct = idx.by_type.get("aws_s3_account_public_access_block") or []
    if acct:
        p["account_public_access_block"] = {k: boolean(acct[-1].attrs.get(k), False) for k in keys}
    # ACL
    acl_res, doubt = _one(idx, "aws_s3_bucket_acl", "bucket", r, names)
    acl = doubt if doubt is not None else (acl_res.attrs.get("acl") if acl_res is not None else a.get("acl"))
    acl = text(acl, "private")
    grants = derive(lambda x: [{"grantee": "AllUsers" if x != "authenticated-read" else "AuthenticatedUsers", "permission": perm}
                               for perm in _PUBLIC_ACLS.get(x, [])], acl)  # fmt: skip
    p["acl_public_grants"] = grants
    p["acl_public_read"] = derive(lambda g: any(x["permission"] == "READ" for x in g), grants)
    p["acl_public_write"] = derive(lambda g: any(x["permission"] == "WRITE" for x in g), grants)
    p["acl_public"] = derive(bool, grants)
    return "aws.s3.bucket", p


@maps(TF, "aws_sqs_queue")
def sqs_queue(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    key = a.get("kms_master_key_id")
    sse = boolean(a.get("sqs_managed_sse_enabled"), None)
    names = _names(r, "name")
    if key is not None:
        enc: Any = derive(lambda k: "SSE-KMS" if k else "", key)
    elif sse is not None:
        enc = derive(lambda s: "SSE-SQS" if s else "", sse)
    else:
        enc = "SSE-SQS"  # the default for new queues since 2022
    pols, doubt = idx.attached("aws_sqs_queue_policy", "queue_url", r, names)
    policy = doubt or merge_policies([doc(x.attrs.get("policy")) for x in pols]) or doc(a.get("policy"))
    return "aws.sqs.queue", {"encryption": enc, "encrypted": derive(bool, enc), "kms_master_key_id": text(key, ""),
                             "fifo": boolean(a.get("fifo_queue"), False), **policy_props(policy)}  # fmt: skip


@maps(TF, "aws_sns_topic")
def sns_topic(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    key = a.get("kms_master_key_id")
    pols, doubt = idx.attached("aws_sns_topic_policy", "arn", r, _names(r, "name"))
    policy = doubt or merge_policies([doc(x.attrs.get("policy")) for x in pols]) or doc(a.get("policy"))
    return "aws.sns.topic", {**text_and_flag(key, "kms_master_key_id", "encrypted"),
                             "fifo": boolean(a.get("fifo_topic"), False), **policy_props(policy)}  # fmt: skip


@maps(TF, "aws_dynamodb_table")
def dynamodb_table(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    sse = first(a.get("server_side_encryption"))
    enabled = boolean(sse.get("enabled") if isinstance(sse, dict) else sse, False)
    pitr = first(a.get("point_in_time_recovery"))
    return "aws.dynamodb.table", {
        "deletion_protection": boolean(a.get("deletion_protection_enabled"), False),
        "sse_type": derive(lambda e: "KMS" if e else "AES256", enabled),
        "kms_key_arn": text(sse.get("kms_key_arn") if isinstance(sse, dict) else None, ""),
        "point_in_time_recovery": boolean(pitr.get("enabled") if isinstance(pitr, dict) else pitr, False),
        "billing_mode": text(a.get("billing_mode"), "PROVISIONED"),
    }


@maps(TF, "aws_db_instance")
def db_instance(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    engine = text(a.get("engine"), "")
    return "aws.rds.db_instance", {
        "engine": engine,
        "publicly_accessible": boolean(a.get("publicly_accessible"), False),
        "storage_encrypted": boolean(a.get("storage_encrypted"), False),
        "kms_key_id": text(a.get("kms_key_id"), ""),
        "auto_minor_version_upgrade": boolean(a.get("auto_minor_version_upgrade"), True),
        "iam_database_authentication_enabled": boolean(a.get("iam_database_authentication_enabled"), False),
        "deletion_protection": boolean(a.get("deletion_protection"), False),
        "multi_az": boolean(a.get("multi_az"), False),
        "backup_retention_period": integer(a.get("backup_retention_period"), 0),
    }


@maps(TF, "aws_ebs_volume")
def ebs_volume(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.ec2.volume", {"encrypted": boolean(a.get("encrypted"), False), "kms_key_id": text(a.get("kms_key_id"), ""),
                              "size_gib": integer(a.get("size")), "volume_type": text(a.get("type"), "gp2")}  # fmt: skip


@maps(TF, "aws_instance")
def instance(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    md = first(a.get("metadata_options"))
    md = md if isinstance(md, dict) else {}
    assoc = boolean(a.get("associate_public_ip_address"), None)
    if assoc is None:
        public: Any = Unknown(
            "associate_public_ip_address not set (the subnet's map_public_ip_on_launch decides)"
        )
    else:
        public = derive(lambda x: "(assigned at launch)" if x else "", assoc)
    return "aws.ec2.instance", {
        "state": "pending",
        "instance_type": text(a.get("instance_type"), ""),
        "metadata_http_tokens": text(md.get("http_tokens"), "optional"),
        "metadata_http_endpoint": text(md.get("http_endpoint"), "enabled"),
        "metadata_hop_limit": integer(md.get("http_put_response_hop_limit"), 1),
        "iam_instance_profile": text(a.get("iam_instance_profile"), ""),
        "public_ip": public,
    }


def _tf_sg_perm(rule: Any) -> Any:
    if not isinstance(rule, dict):
        return rule
    perm = protocol_ports(
        rule.get("protocol", "-1"), integer(rule.get("from_port")), integer(rule.get("to_port"))
    )
    perm["IpRanges"] = [{"CidrIp": c} for c in blocks(rule.get("cidr_blocks")) if c is not None]
    perm["Ipv6Ranges"] = [{"CidrIpv6": c} for c in blocks(rule.get("ipv6_cidr_blocks")) if c is not None]
    perm["UserIdGroupPairs"] = [{"GroupId": g} for g in blocks(rule.get("security_groups"))] + (
        [{"GroupId": "self"}] if rule.get("self") is True else []
    )
    perm["PrefixListIds"] = [{"PrefixListId": p} for p in blocks(rule.get("prefix_list_ids"))]
    return perm


def _vpc_rule(rule: dict[str, Any]) -> Any:
    perm = protocol_ports(
        rule.get("ip_protocol", "-1"), integer(rule.get("from_port")), integer(rule.get("to_port"))
    )
    perm["IpRanges"] = [{"CidrIp": rule["cidr_ipv4"]}] if rule.get("cidr_ipv4") is not None else []
    perm["Ipv6Ranges"] = [{"CidrIpv6": rule["cidr_ipv6"]}] if rule.get("cidr_ipv6") is not None else []
    perm["UserIdGroupPairs"] = (
        [{"GroupId": rule["referenced_security_group_id"]}]
        if rule.get("referenced_security_group_id")
        else []
    )
    perm["PrefixListIds"] = [{"PrefixListId": rule["prefix_list_id"]}] if rule.get("prefix_list_id") else []
    return perm


@maps(TF, "aws_security_group", "aws_default_security_group")
def security_group(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    names = _names(r, "name")
    out: dict[str, list[Any]] = {"ingress": [], "egress": []}
    for d in ("ingress", "egress"):
        inline = a.get(d)
        if isinstance(inline, Unknown):
            out[d] = [inline]
        else:
            out[d].extend(_tf_sg_perm(x) for x in blocks(inline))
        rules, doubt = idx.attached("aws_security_group_rule", "security_group_id", r, names)
        out[d].extend(_tf_sg_perm(x.attrs) for x in rules if x.attrs.get("type") == d)
        new, doubt2 = idx.attached(f"aws_vpc_security_group_{d}_rule", "security_group_id", r, names)
        out[d].extend(_vpc_rule(x.attrs) for x in new)
        if doubt or doubt2:
            out[d].append(doubt or doubt2)
    if r.type == "aws_security_group" and "egress" not in a:
        pass  # Terraform removes AWS's default allow-all egress rule unless declared
    return "aws.ec2.security_group", {
        "group_name": text(a.get("name"), r.address), "description": text(a.get("description"), "Managed by Terraform"),
        "is_default": r.type == "aws_default_security_group",
        "ingress": sg_rules(out["ingress"]), "egress": sg_rules(out["egress"]),
    }  # fmt: skip


@maps(TF, "aws_ecr_repository")
def ecr_repository(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    names = _names(r, "name")
    scan = first(a.get("image_scanning_configuration"))
    on_push = boolean(scan.get("scan_on_push") if isinstance(scan, dict) else scan, False)
    life, d1 = idx.attached("aws_ecr_lifecycle_policy", "repository", r, names)
    pols, d2 = idx.attached("aws_ecr_repository_policy", "repository", r, names)
    policy = d2 or merge_policies([doc(x.attrs.get("policy")) for x in pols])
    mut = text(a.get("image_tag_mutability"), "MUTABLE")
    return "aws.ecr.repository", {
        "image_tag_mutability": mut, "tags_immutable": derive(lambda m: str(m).startswith("IMMUTABLE"), mut),
        "scan_on_push": on_push, "scanning_configured": on_push,
        "lifecycle_policy_present": d1 if d1 and not life else bool(life),
        **policy_props(policy, prefix="policy_"),
    }  # fmt: skip


@maps(TF, "aws_efs_file_system")
def efs_file_system(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    bps, doubt = idx.attached("aws_efs_backup_policy", "file_system_id", r, [])
    status = (
        doubt
        if doubt
        else text(first(bps[-1].attrs.get("backup_policy")).get("status"), "DISABLED")
        if bps
        else "DISABLED"
    )
    return "aws.efs.file_system", {"encrypted": boolean(a.get("encrypted"), False), "kms_key_id": text(a.get("kms_key_id"), ""),
                                   "backup_policy_status": status, "automatic_backups": derive(lambda s: s == "ENABLED", status)}  # fmt: skip


@maps(TF, "aws_efs_access_point")
def efs_access_point(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    root = first(a.get("root_directory"))
    path = text(root.get("path") if isinstance(root, dict) else root, "/")
    user = first(a.get("posix_user"))
    return "aws.efs.access_point", {
        "root_directory_path": path, "root_directory_enforced": derive(lambda x: x not in ("", "/"), path),
        "posix_user": user if isinstance(user, dict) and user else None if isinstance(user, Unknown) else {},
        "posix_user_enforced": derive(lambda u: bool(u and u.get("uid") is not None), user) if not isinstance(user, list) else False,
    }  # fmt: skip


@maps(TF, "aws_cloudwatch_log_group")
def log_group(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.logs.log_group", log_group_props(integer(a.get("retention_in_days"), 0), a.get("kms_key_id"))


@maps(TF, "aws_kms_key")
def kms_key(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.kms.key", kms_key_props(
        text(a.get("customer_master_key_spec"), "SYMMETRIC_DEFAULT"), boolean(a.get("is_enabled"), True),
        boolean(a.get("enable_key_rotation"), False), boolean(a.get("multi_region"), False),
    )  # fmt: skip


@maps(TF, "aws_cloudtrail")
def trail(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.cloudtrail.trail", trail_props(
        multi_region=boolean(a.get("is_multi_region_trail"), False),
        organization=boolean(a.get("is_organization_trail"), False),
        global_events=boolean(a.get("include_global_service_events"), True),
        validation=boolean(a.get("enable_log_file_validation"), False),
        key=a.get("kms_key_id"),
        bucket=declared_address(idx, a.get("s3_bucket_name"), "aws_s3_bucket", "bucket"),
        log_group_arn=a.get("cloud_watch_logs_group_arn"),
        logging=boolean(a.get("enable_logging"), True),
    )  # fmt: skip


@maps(TF, "aws_iam_policy")
def iam_policy(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.iam.policy", {
        "path": text(r.attrs.get("path"), "/"),
        **iam_policy_props(doc(r.attrs.get("policy"))),
    }


@maps(TF, "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
def iam_inline(r: RawResource, idx: Index) -> tuple[str, Props]:
    kind = r.type.split("_")[2]
    who = r.attrs.get(kind)
    return "aws.iam.inline_policy", {"identity_type": kind, "identity_name": text(who, ""), "policy_name": text(r.attrs.get("name"), ""),
                                     **iam_doc_props(doc(r.attrs.get("policy")))}  # fmt: skip


@maps(TF, "aws_iam_role")
def iam_role(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.iam.role", {
        "path": text(r.attrs.get("path"), "/"),
        **trust_props(doc(r.attrs.get("assume_role_policy"))),
    }


@maps(TF, "aws_lambda_function")
def lambda_function(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    names = _names(r, "function_name")
    vpc = first(a.get("vpc_config"))
    subnets = vpc.get("subnet_ids") if isinstance(vpc, dict) else vpc
    perms, d1 = idx.attached("aws_lambda_permission", "function_name", r, names)
    stmts = [{"Effect": "Allow", "Principal": x.attrs.get("principal"), "Action": x.attrs.get("action"),
              **({"Condition": {"ArnLike": {"AWS:SourceArn": x.attrs["source_arn"]}}} if x.attrs.get("source_arn") else {}),
              **({"Condition": {"StringEquals": {"AWS:SourceAccount": x.attrs["source_account"]}}} if x.attrs.get("source_account") else {})}
             for x in perms]  # fmt: skip
    policy = d1 or ({"Version": "2012-10-17", "Statement": stmts} if stmts else None)
    urls, d2 = idx.attached("aws_lambda_function_url", "function_name", r, names)
    pp = policy_props(policy)
    return "aws.lambda.function", {
        "runtime": text(a.get("runtime"), ""), "package_type": text(a.get("package_type"), "Zip"),
        "in_vpc": derive(lambda s: bool(s), subnets if subnets is not None else []),
        "policy": pp["policy"], "policy_public": pp["policy_public"], "public_statements": pp["public_statements"],
        "url": d2 if d2 and not urls else ("(function URL)" if urls else ""),
        "url_auth_type": text(urls[-1].attrs.get("authorization_type"), "") if urls else "",
    }  # fmt: skip


@maps(TF, "aws_backup_vault")
def backup_vault(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.backup.vault", {
        "encryption_key_arn": text(declared_key_arn(idx, r.attrs.get("kms_key_arn"), "aws_kms_key"), ""),
        "service_managed": False,
    }


@maps(TF, "aws_guardduty_detector")
def guardduty(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.guardduty.region", {"enabled": boolean(r.attrs.get("enable"), True)}


@maps(TF, "aws_vpc")
def vpc(r: RawResource, idx: Index) -> tuple[str, Props]:
    logs, doubt = idx.attached("aws_flow_log", "vpc_id", r, [])
    flows: Any = doubt if doubt and not logs else [
        {"status": "ACTIVE", "traffic_type": text(x.attrs.get("traffic_type"), "ALL"),
         "destination_type": text(x.attrs.get("log_destination_type"), "cloud-watch-logs")} for x in logs
    ]  # fmt: skip
    return "aws.ec2.vpc", {
        "cidr_block": text(r.attrs.get("cidr_block"), ""),
        "is_default": False,
        "flow_logs": flows,
    }


@maps(TF, "aws_secretsmanager_secret")
def secret(r: RawResource, idx: Index) -> tuple[str, Props]:
    rots, doubt = idx.attached("aws_secretsmanager_secret_rotation", "secret_id", r, _names(r, "name"))
    return "aws.secretsmanager.secret", {"kms_key_id": text(r.attrs.get("kms_key_id"), ""),
                                         "rotation_enabled": doubt if doubt and not rots else bool(rots)}  # fmt: skip
