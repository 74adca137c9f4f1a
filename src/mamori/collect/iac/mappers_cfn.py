"""CloudFormation resource properties -> typed properties, one mapper per resource type."""

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

CFN = "cloudformation"
_PUBLIC_ACLS = {"PublicRead": ["READ"], "PublicReadWrite": ["READ", "WRITE"], "AuthenticatedRead": ["READ"]}


def _d(v: Any) -> Any:
    return v if isinstance(v, (dict, Unknown)) else {}


@maps(CFN, "AWS::S3::Bucket")
def s3_bucket(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    bucket = a.get("BucketName")
    if not isinstance(bucket, str):
        bucket = Symbolic("${" + r.address + "}")
    names = [bucket]
    ver = _d(a.get("VersioningConfiguration"))
    p: Props = {"versioning_status": text(ver.get("Status"), "") if isinstance(ver, dict) else ver}
    enc = _d(a.get("BucketEncryption"))
    rules = enc.get("ServerSideEncryptionConfiguration") if isinstance(enc, dict) else enc
    rule = blocks(rules)[0] if blocks(rules) else {}
    by_default = _d(rule.get("ServerSideEncryptionByDefault")) if isinstance(rule, dict) else rule
    p["default_encryption_enabled"] = True  # SSE-S3 for every bucket since January 2023
    p["encryption_algorithm"] = (
        text(by_default.get("SSEAlgorithm"), "AES256") if isinstance(by_default, dict) else by_default
    )
    p["encryption_kms_key_id"] = (
        text(by_default.get("KMSMasterKeyID"), "") if isinstance(by_default, dict) else by_default
    )
    p["bucket_key_enabled"] = boolean(rule.get("BucketKeyEnabled"), False) if isinstance(rule, dict) else rule
    log = a.get("LoggingConfiguration")
    p["access_logging_enabled"] = derive(lambda x: isinstance(x, dict), log) if log is not None else False
    pols, doubt = idx.attached("AWS::S3::BucketPolicy", "Bucket", r, names)
    policy = doubt or merge_policies([doc(x.attrs.get("PolicyDocument")) for x in pols])
    pp = policy_props(policy, prefix="x_")
    p.update({"policy": pp["policy"], "policy_present": pp["policy_present"], "policy_public": pp["policy_public"],
              "policy_public_statements": pp["x_public_statements"], "policy_public_source": "" if policy is None else "policy",
              "denies_insecure_transport": bucket_https(policy, bucket)})  # fmt: skip
    keys = {"block_public_acls": "BlockPublicAcls", "ignore_public_acls": "IgnorePublicAcls",
            "block_public_policy": "BlockPublicPolicy", "restrict_public_buckets": "RestrictPublicBuckets"}  # fmt: skip
    pab = a.get("PublicAccessBlockConfiguration")
    if pab is None:  # on by default for buckets created since April 2023
        p["public_access_block"] = dict.fromkeys(keys, True)
        p["public_access_block_configured"] = False
        p["public_access_block_enabled"] = True
    elif isinstance(pab, Unknown):
        p["public_access_block"] = p["public_access_block_enabled"] = pab
    else:
        vals = {k: boolean(pab.get(v), False) for k, v in keys.items()}
        p["public_access_block"] = vals
        p["public_access_block_configured"] = True
        p["public_access_block_enabled"] = derive(lambda v: all(v.values()), vals)
    acl = text(a.get("AccessControl"), "Private")
    grants = derive(lambda x: [{"grantee": "AllUsers" if x != "AuthenticatedRead" else "AuthenticatedUsers", "permission": perm}
                               for perm in _PUBLIC_ACLS.get(x, [])], acl)  # fmt: skip
    p["acl_public_grants"] = grants
    p["acl_public_read"] = derive(lambda g: any(x["permission"] == "READ" for x in g), grants)
    p["acl_public_write"] = derive(lambda g: any(x["permission"] == "WRITE" for x in g), grants)
    p["acl_public"] = derive(bool, grants)
    return "aws.s3.bucket", p


@maps(CFN, "AWS::SQS::Queue")
def sqs_queue(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    key = a.get("KmsMasterKeyId")
    sse = boolean(a.get("SqsManagedSseEnabled"), None)
    if key is not None:
        enc: Any = derive(lambda k: "SSE-KMS" if k else "", key)
    elif sse is not None:
        enc = derive(lambda s: "SSE-SQS" if s else "", sse)
    else:
        enc = "SSE-SQS"
    pols, doubt = idx.attached("AWS::SQS::QueuePolicy", "Queues", r, [a.get("QueueName")])
    policy = doubt or merge_policies([doc(x.attrs.get("PolicyDocument")) for x in pols])
    return "aws.sqs.queue", {"encryption": enc, "encrypted": derive(bool, enc), "kms_master_key_id": text(key, ""),
                             "fifo": boolean(a.get("FifoQueue"), False), **policy_props(policy)}  # fmt: skip


@maps(CFN, "AWS::SNS::Topic")
def sns_topic(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    key = a.get("KmsMasterKeyId")
    pols, doubt = idx.attached("AWS::SNS::TopicPolicy", "Topics", r, [a.get("TopicName")])
    policy = doubt or merge_policies([doc(x.attrs.get("PolicyDocument")) for x in pols])
    return "aws.sns.topic", {**text_and_flag(key, "kms_master_key_id", "encrypted"),
                             "fifo": boolean(a.get("FifoTopic"), False), **policy_props(policy)}  # fmt: skip


@maps(CFN, "AWS::DynamoDB::Table")
def dynamodb_table(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    sse = _d(a.get("SSESpecification"))
    enabled = boolean(sse.get("SSEEnabled"), False) if isinstance(sse, dict) else sse
    pitr = _d(a.get("PointInTimeRecoverySpecification"))
    return "aws.dynamodb.table", {
        "deletion_protection": boolean(a.get("DeletionProtectionEnabled"), False),
        "sse_type": derive(lambda e: "KMS" if e else "AES256", enabled),
        "kms_key_arn": text(sse.get("KMSMasterKeyId"), "") if isinstance(sse, dict) else sse,
        "point_in_time_recovery": boolean(pitr.get("PointInTimeRecoveryEnabled"), False)
        if isinstance(pitr, dict)
        else pitr,
        "billing_mode": text(a.get("BillingMode"), "PROVISIONED"),
    }


@maps(CFN, "AWS::RDS::DBInstance")
def db_instance(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.rds.db_instance", {
        "engine": text(a.get("Engine"), ""),
        "publicly_accessible": boolean(a.get("PubliclyAccessible"), False),
        "storage_encrypted": boolean(a.get("StorageEncrypted"), False),
        "kms_key_id": text(a.get("KmsKeyId"), ""),
        "auto_minor_version_upgrade": boolean(a.get("AutoMinorVersionUpgrade"), True),
        "iam_database_authentication_enabled": boolean(a.get("EnableIAMDatabaseAuthentication"), False),
        "deletion_protection": boolean(a.get("DeletionProtection"), False),
        "multi_az": boolean(a.get("MultiAZ"), False),
        "backup_retention_period": integer(a.get("BackupRetentionPeriod"), 1),
    }


@maps(CFN, "AWS::EC2::Volume")
def ebs_volume(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.ec2.volume", {"encrypted": boolean(a.get("Encrypted"), False), "kms_key_id": text(a.get("KmsKeyId"), ""),
                              "size_gib": integer(a.get("Size")), "volume_type": text(a.get("VolumeType"), "gp2")}  # fmt: skip


@maps(CFN, "AWS::EC2::Instance")
def instance(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    md = _d(a.get("MetadataOptions"))
    md = md if isinstance(md, dict) else {}
    nics = [n for n in blocks(a.get("NetworkInterfaces")) if isinstance(n, dict)]
    assoc = boolean(nics[0].get("AssociatePublicIpAddress"), None) if nics else None
    public: Any = (Unknown("AssociatePublicIpAddress not set (the subnet's MapPublicIpOnLaunch decides)") if assoc is None
                   else derive(lambda x: "(assigned at launch)" if x else "", assoc))  # fmt: skip
    return "aws.ec2.instance", {
        "state": "pending", "instance_type": text(a.get("InstanceType"), ""),
        "metadata_http_tokens": text(md.get("HttpTokens"), "optional"),
        "metadata_http_endpoint": text(md.get("HttpEndpoint"), "enabled"),
        "metadata_hop_limit": integer(md.get("HttpPutResponseHopLimit"), 1),
        "iam_instance_profile": text(a.get("IamInstanceProfile"), ""),
        "public_ip": public,
    }  # fmt: skip


def _cfn_perm(rule: Any) -> Any:
    if not isinstance(rule, dict):
        return rule
    perm = protocol_ports(
        rule.get("IpProtocol", "-1"), integer(rule.get("FromPort")), integer(rule.get("ToPort"))
    )
    perm["IpRanges"] = [{"CidrIp": rule["CidrIp"]}] if rule.get("CidrIp") is not None else []
    perm["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"]}] if rule.get("CidrIpv6") is not None else []
    g = rule.get("SourceSecurityGroupId") or rule.get("DestinationSecurityGroupId")
    perm["UserIdGroupPairs"] = [{"GroupId": g}] if g else []
    pl = rule.get("SourcePrefixListId") or rule.get("DestinationPrefixListId")
    perm["PrefixListIds"] = [{"PrefixListId": pl}] if pl else []
    return perm


@maps(CFN, "AWS::EC2::SecurityGroup")
def security_group(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    out: dict[str, list[Any]] = {}
    for d, prop, standalone in (("ingress", "SecurityGroupIngress", "AWS::EC2::SecurityGroupIngress"),
                                ("egress", "SecurityGroupEgress", "AWS::EC2::SecurityGroupEgress")):  # fmt: skip
        inline = a.get(prop)
        if d == "egress" and inline is None:
            inline = [
                {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}
            ]  # CloudFormation keeps AWS's default egress rule
        items: list[Any] = [inline] if isinstance(inline, Unknown) else [_cfn_perm(x) for x in blocks(inline)]
        rules, doubt = idx.attached(standalone, "GroupId", r, [])
        items.extend(_cfn_perm(x.attrs) for x in rules)
        if doubt:
            items.append(doubt)
        out[d] = items
    return "aws.ec2.security_group", {
        "group_name": text(a.get("GroupName"), r.address), "description": text(a.get("GroupDescription"), ""),
        "is_default": False, "ingress": sg_rules(out["ingress"]), "egress": sg_rules(out["egress"]),
    }  # fmt: skip


@maps(CFN, "AWS::ECR::Repository")
def ecr_repository(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    scan = _d(a.get("ImageScanningConfiguration"))
    on_push = boolean(scan.get("ScanOnPush"), False) if isinstance(scan, dict) else scan
    mut = text(a.get("ImageTagMutability"), "MUTABLE")
    life = a.get("LifecyclePolicy")
    policy = doc(a.get("RepositoryPolicyText"))
    return "aws.ecr.repository", {
        "image_tag_mutability": mut, "tags_immutable": derive(lambda m: str(m).startswith("IMMUTABLE"), mut),
        "scan_on_push": on_push, "scanning_configured": on_push,
        "lifecycle_policy_present": derive(lambda x: bool(isinstance(x, dict) and x.get("LifecyclePolicyText")), life) if life is not None else False,
        **policy_props(policy, prefix="policy_"),
    }  # fmt: skip


@maps(CFN, "AWS::EFS::FileSystem")
def efs_file_system(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    bp = _d(a.get("BackupPolicy"))
    status = text(bp.get("Status"), "DISABLED") if isinstance(bp, dict) else bp
    return "aws.efs.file_system", {"encrypted": boolean(a.get("Encrypted"), False), "kms_key_id": text(a.get("KmsKeyId"), ""),
                                   "backup_policy_status": status, "automatic_backups": derive(lambda s: s == "ENABLED", status)}  # fmt: skip


@maps(CFN, "AWS::EFS::AccessPoint")
def efs_access_point(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    root = _d(a.get("RootDirectory"))
    path = text(root.get("Path"), "/") if isinstance(root, dict) else root
    user = a.get("PosixUser")
    return "aws.efs.access_point", {
        "root_directory_path": path, "root_directory_enforced": derive(lambda x: x not in ("", "/"), path),
        "posix_user": user if isinstance(user, (dict, Unknown)) else {},
        "posix_user_enforced": derive(lambda u: bool(isinstance(u, dict) and u.get("Uid") is not None), user) if user is not None else False,
    }  # fmt: skip


@maps(CFN, "AWS::Logs::LogGroup")
def log_group(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.logs.log_group", log_group_props(integer(a.get("RetentionInDays"), 0), a.get("KmsKeyId"))


@maps(CFN, "AWS::KMS::Key")
def kms_key(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.kms.key", kms_key_props(
        text(a.get("KeySpec"), "SYMMETRIC_DEFAULT"), boolean(a.get("Enabled"), True),
        boolean(a.get("EnableKeyRotation"), False), boolean(a.get("MultiRegion"), False),
    )  # fmt: skip


@maps(CFN, "AWS::CloudTrail::Trail")
def trail(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    return "aws.cloudtrail.trail", trail_props(
        multi_region=boolean(a.get("IsMultiRegionTrail"), False),
        organization=boolean(a.get("IsOrganizationTrail"), False),
        global_events=boolean(a.get("IncludeGlobalServiceEvents"), True),
        validation=boolean(a.get("EnableLogFileValidation"), False),
        key=a.get("KMSKeyId"),
        bucket=declared_address(idx, a.get("S3BucketName"), "AWS::S3::Bucket", "BucketName"),
        log_group_arn=a.get("CloudWatchLogsLogGroupArn"),
        logging=boolean(a.get("IsLogging"), Unknown("IsLogging (required, not set)")),
    )  # fmt: skip


@maps(CFN, "AWS::IAM::ManagedPolicy")
def iam_policy(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.iam.policy", {
        "path": text(r.attrs.get("Path"), "/"),
        **iam_policy_props(doc(r.attrs.get("PolicyDocument"))),
    }


@maps(CFN, "AWS::IAM::Policy")
def iam_inline(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    kind = "role" if a.get("Roles") else "user" if a.get("Users") else "group"
    return "aws.iam.inline_policy", {"identity_type": kind, "policy_name": text(a.get("PolicyName"), ""),
                                     **iam_doc_props(doc(a.get("PolicyDocument")))}  # fmt: skip


@maps(CFN, "AWS::IAM::Role")
def iam_role(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.iam.role", {
        "path": text(r.attrs.get("Path"), "/"),
        **trust_props(doc(r.attrs.get("AssumeRolePolicyDocument"))),
    }


@maps(CFN, "AWS::Lambda::Function")
def lambda_function(r: RawResource, idx: Index) -> tuple[str, Props]:
    a = r.attrs
    vpc = _d(a.get("VpcConfig"))
    subnets = vpc.get("SubnetIds") if isinstance(vpc, dict) else vpc
    names = [a.get("FunctionName")]
    perms, d1 = idx.attached("AWS::Lambda::Permission", "FunctionName", r, names)
    stmts = [{"Effect": "Allow", "Principal": x.attrs.get("Principal"), "Action": x.attrs.get("Action"),
              **({"Condition": {"ArnLike": {"AWS:SourceArn": x.attrs["SourceArn"]}}} if x.attrs.get("SourceArn") else {}),
              **({"Condition": {"StringEquals": {"AWS:SourceAccount": x.attrs["SourceAccount"]}}} if x.attrs.get("SourceAccount") else {})}
             for x in perms]  # fmt: skip
    policy = d1 or ({"Version": "2012-10-17", "Statement": stmts} if stmts else None)
    urls, d2 = idx.attached("AWS::Lambda::Url", "TargetFunctionArn", r, names)
    pp = policy_props(policy)
    return "aws.lambda.function", {
        "runtime": text(a.get("Runtime"), ""), "package_type": text(a.get("PackageType"), "Zip"),
        "in_vpc": derive(lambda s: bool(s), subnets if subnets is not None else []),
        "policy": pp["policy"], "policy_public": pp["policy_public"], "public_statements": pp["public_statements"],
        "url": d2 if d2 and not urls else ("(function URL)" if urls else ""),
        "url_auth_type": text(urls[-1].attrs.get("AuthType"), "") if urls else "",
    }  # fmt: skip


@maps(CFN, "AWS::Backup::BackupVault")
def backup_vault(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.backup.vault", {
        "encryption_key_arn": text(declared_key_arn(idx, r.attrs.get("EncryptionKeyArn"), "AWS::KMS::Key"), ""),
        "service_managed": False,
    }


@maps(CFN, "AWS::GuardDuty::Detector")
def guardduty(r: RawResource, idx: Index) -> tuple[str, Props]:
    return "aws.guardduty.region", {
        "enabled": boolean(r.attrs.get("Enable"), Unknown("Enable (required, not set)"))
    }


@maps(CFN, "AWS::EC2::VPC")
def vpc(r: RawResource, idx: Index) -> tuple[str, Props]:
    logs, doubt = idx.attached("AWS::EC2::FlowLog", "ResourceId", r, [])
    flows: Any = doubt if doubt and not logs else [
        {"status": "ACTIVE", "traffic_type": text(x.attrs.get("TrafficType"), "ALL"),
         "destination_type": text(x.attrs.get("LogDestinationType"), "cloud-watch-logs")} for x in logs
    ]  # fmt: skip
    return "aws.ec2.vpc", {
        "cidr_block": text(r.attrs.get("CidrBlock"), ""),
        "is_default": False,
        "flow_logs": flows,
    }


@maps(CFN, "AWS::SecretsManager::Secret")
def secret(r: RawResource, idx: Index) -> tuple[str, Props]:
    rots, doubt = idx.attached("AWS::SecretsManager::RotationSchedule", "SecretId", r, [r.attrs.get("Name")])
    return "aws.secretsmanager.secret", {"kms_key_id": text(r.attrs.get("KmsKeyId"), ""),
                                         "rotation_enabled": doubt if doubt and not rots else bool(rots)}  # fmt: skip
