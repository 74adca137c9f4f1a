"""EC2 and VPC: security groups, EBS volumes, snapshots and default encryption, instances, images, VPCs with flow logs, network ACLs.

Regional scope, bulk calls (EC2 answers nearly everything the rules need in list calls):
DescribeSecurityGroups, DescribeVolumes, GetEbsEncryptionByDefault, DescribeInstances,
DescribeVpcs + DescribeFlowLogs (flow logs are denormalised onto their VPC),
DescribeNetworkAcls, DescribeSnapshots and DescribeImages (the account's own), each once
per region; DescribeSnapshotAttribute per unencrypted snapshot (see ``ec2_images``).

Each source fails alone: a failing call is a scope error for the resource types it feeds
in that region (their rules report UNKNOWN there) and the others are still collected. A
failing DescribeFlowLogs still yields the VPCs, with ``flow_logs`` unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.collect.aws.services.ec2_images import image, own_images, own_snapshots, snapshot
from mamori.collect.aws.services.ec2_network import acl_entries, sg_permissions
from mamori.collect.aws.services.sources import guarded
from mamori.model.resource import Resource
from mamori.model.resources.ec2 import (
    IMAGE,
    INSTANCE,
    NETWORK_ACL,
    REGION,
    SECURITY_GROUP,
    SNAPSHOT,
    VOLUME,
    VPC,
    Ec2Instance,
    Ec2NetworkAcl,
    Ec2Region,
    Ec2SecurityGroup,
    Ec2Volume,
    Ec2Vpc,
)


@COLLECTORS.register("ec2")
class Ec2Collector(AwsCollector):
    service = "ec2"
    scope = "regional"
    resource_types = (SECURITY_GROUP, VOLUME, INSTANCE, VPC, NETWORK_ACL, REGION, SNAPSHOT, IMAGE)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        ec2 = ctx.client("ec2", region)

        def source(operation: str, types: tuple[str, ...], fn: Callable[[], Any]) -> Any:
            return _guard(ctx, region, operation, types, fn)

        default = source("GetEbsEncryptionByDefault", (REGION,), lambda: ec2.get_ebs_encryption_by_default())
        if default is not MISSING:
            yield ctx.resource(
                Ec2Region.of({"ebs_default_encryption": bool(default.get("EbsEncryptionByDefault", False))}), region, region
            )
        groups = source("DescribeSecurityGroups", (SECURITY_GROUP,), lambda: _all(ctx, ec2, "describe_security_groups", "SecurityGroups"))
        for g in groups if groups is not MISSING else []:
            yield _security_group(ctx, region, g)
        volumes = source("DescribeVolumes", (VOLUME,), lambda: _all(ctx, ec2, "describe_volumes", "Volumes"))
        for v in volumes if volumes is not MISSING else []:
            yield _volume(ctx, region, v)
        reservations = source("DescribeInstances", (INSTANCE,), lambda: _all(ctx, ec2, "describe_instances", "Reservations"))
        for r in reservations if reservations is not MISSING else []:
            for i in r.get("Instances") or []:
                yield _instance(ctx, region, i)
        vpcs = source("DescribeVpcs", (VPC,), lambda: _all(ctx, ec2, "describe_vpcs", "Vpcs"))
        if vpcs is not MISSING:
            flow_logs = source("DescribeFlowLogs", (VPC,), lambda: _all(ctx, ec2, "describe_flow_logs", "FlowLogs"))
            for v in vpcs:
                yield _vpc(ctx, region, v, flow_logs)
        acls = source("DescribeNetworkAcls", (NETWORK_ACL,), lambda: _all(ctx, ec2, "describe_network_acls", "NetworkAcls"))
        for a in acls if acls is not MISSING else []:
            yield _network_acl(ctx, region, a)
        snapshots = source("DescribeSnapshots", (SNAPSHOT,), lambda: own_snapshots(ctx, ec2))
        for sn in snapshots if snapshots is not MISSING else []:
            yield snapshot(ctx, ec2, region, sn)
        images = source("DescribeImages", (IMAGE,), lambda: own_images(ctx, ec2))
        for im in images if images is not MISSING else []:
            yield image(ctx, region, im)


def _all(ctx: CollectContext, client: Any, operation: str, key: str) -> list[Any]:
    return ctx.paginate(client, operation, key)


def _guard(ctx: CollectContext, region: str, operation: str, types: tuple[str, ...], fn: Callable[[], Any]) -> Any:
    """Run one bulk source; on failure record a scope error for the types it feeds and return MISSING."""
    return guarded(ctx, region, "ec2", operation, types, fn)


def _name(tags: dict[str, str], default: str) -> str:
    return tags.get("Name") or default


def _security_group(ctx: CollectContext, region: str, g: dict[str, Any]) -> Resource:
    gid = str(g["GroupId"])
    tags = tags_of(g.get("Tags"))
    props = {
        "group_name": str(g.get("GroupName", "")),
        "description": str(g.get("Description", "")),
        "vpc_id": str(g.get("VpcId") or ""),
        "is_default": g.get("GroupName") == "default",
        "ingress": sg_permissions(g.get("IpPermissions")),
        "egress": sg_permissions(g.get("IpPermissionsEgress")),
    }
    arn = str(g.get("SecurityGroupArn") or ctx.arn("ec2", region, f"security-group/{gid}"))
    return ctx.resource(Ec2SecurityGroup.of(props), region, gid, arn=arn, name=str(g.get("GroupName") or gid), tags=tags)


def _volume(ctx: CollectContext, region: str, v: dict[str, Any]) -> Resource:
    vid = str(v["VolumeId"])
    tags = tags_of(v.get("Tags"))
    attached = [str(a["InstanceId"]) for a in v.get("Attachments") or [] if a.get("InstanceId")]
    props = {
        "encrypted": bool(v.get("Encrypted", False)),
        "kms_key_id": str(v.get("KmsKeyId") or ""),
        "state": str(v.get("State", "")),
        "size_gib": v.get("Size"),
        "volume_type": str(v.get("VolumeType", "")),
        "availability_zone": str(v.get("AvailabilityZone", "")),
        "snapshot_id": str(v.get("SnapshotId") or ""),
        "created": iso(v.get("CreateTime")) or "",
        "attached_instance_ids": attached,
        "attached": bool(attached),
    }
    return ctx.resource(Ec2Volume.of(props), region, vid, arn=ctx.arn("ec2", region, f"volume/{vid}"), name=_name(tags, vid), tags=tags)


def _instance(ctx: CollectContext, region: str, i: dict[str, Any]) -> Resource:
    iid = str(i["InstanceId"])
    tags = tags_of(i.get("Tags"))
    md = i.get("MetadataOptions")
    props: dict[str, Any] = {
        "state": str((i.get("State") or {}).get("Name", "")),
        "instance_type": str(i.get("InstanceType", "")),
        "image_id": str(i.get("ImageId", "")),
        "launch_time": iso(i.get("LaunchTime")) or "",
        "platform": str(i.get("Platform") or ""),
        "vpc_id": str(i.get("VpcId") or ""),
        "subnet_id": str(i.get("SubnetId") or ""),
        "private_ip": str(i.get("PrivateIpAddress") or ""),
        "public_ip": str(i.get("PublicIpAddress") or ""),
        "public_dns": str(i.get("PublicDnsName") or ""),
        "iam_instance_profile": str((i.get("IamInstanceProfile") or {}).get("Arn") or ""),
        "security_group_ids": _instance_groups(i),
        "volume_ids": [
            str(b["Ebs"]["VolumeId"]) for b in i.get("BlockDeviceMappings") or [] if (b.get("Ebs") or {}).get("VolumeId")
        ],
        # MetadataOptions is always in AWS's answer; without it we cannot tell (None).
        "metadata_http_tokens": str(md.get("HttpTokens", "")) if md else None,
        "metadata_http_endpoint": str(md.get("HttpEndpoint", "")) if md else None,
        "metadata_hop_limit": md.get("HttpPutResponseHopLimit") if md else None,
    }
    return ctx.resource(
        Ec2Instance.of(props), region, iid, arn=ctx.arn("ec2", region, f"instance/{iid}"), name=_name(tags, iid), tags=tags
    )


def _instance_groups(i: dict[str, Any]) -> list[str]:
    """The instance's security groups, from the instance and each of its network interfaces."""
    groups = [*(i.get("SecurityGroups") or []), *(g for eni in i.get("NetworkInterfaces") or [] for g in eni.get("Groups") or [])]
    return sorted({str(g["GroupId"]) for g in groups if g.get("GroupId")})


def _flow_log(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(f.get("FlowLogId", "")),
        "status": str(f.get("FlowLogStatus", "")),
        "traffic_type": str(f.get("TrafficType", "")),
        "destination_type": str(f.get("LogDestinationType", "")),
        "destination": str(f.get("LogDestination") or f.get("LogGroupName") or ""),
        "deliver_logs_status": str(f.get("DeliverLogsStatus", "")),
    }


def _vpc(ctx: CollectContext, region: str, v: dict[str, Any], flow_logs: Any) -> Resource:
    vid = str(v["VpcId"])
    tags = tags_of(v.get("Tags"))
    props = {
        "cidr_block": str(v.get("CidrBlock", "")),
        "is_default": bool(v.get("IsDefault", False)),
        "state": str(v.get("State", "")),
        "flow_logs": MISSING if flow_logs is MISSING else [_flow_log(f) for f in flow_logs if f.get("ResourceId") == vid],
    }
    return ctx.resource(Ec2Vpc.of(props), region, vid, arn=ctx.arn("ec2", region, f"vpc/{vid}"), name=_name(tags, vid), tags=tags)


def _network_acl(ctx: CollectContext, region: str, a: dict[str, Any]) -> Resource:
    aid = str(a["NetworkAclId"])
    tags = tags_of(a.get("Tags"))
    props = {
        "vpc_id": str(a.get("VpcId", "")),
        "is_default": bool(a.get("IsDefault", False)),
        "subnet_ids": [str(x["SubnetId"]) for x in a.get("Associations") or [] if x.get("SubnetId")],
        "ingress": acl_entries(a.get("Entries"), egress=False),
        "egress": acl_entries(a.get("Entries"), egress=True),
    }
    return ctx.resource(
        Ec2NetworkAcl.of(props), region, aid, arn=ctx.arn("ec2", region, f"network-acl/{aid}"), name=_name(tags, aid), tags=tags
    )
