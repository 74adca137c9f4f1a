"""EC2 and VPC (`ec2`): the typed properties of each resource type (see docs/resources/ec2.md)."""

from __future__ import annotations

from mamori.model.resources.base import Entry, Props, resource_type

REGION = "aws.ec2.region"
SECURITY_GROUP = "aws.ec2.security_group"
VOLUME = "aws.ec2.volume"
INSTANCE = "aws.ec2.instance"
VPC = "aws.ec2.vpc"
NETWORK_ACL = "aws.ec2.network_acl"
SNAPSHOT = "aws.ec2.snapshot"
IMAGE = "aws.ec2.image"


class SecurityGroupRule(Entry):
    """One source of one permission of a security group (ingress or egress)."""

    protocol: str | None = None
    from_port: int | None = None
    to_port: int | None = None
    cidr: str | None = None
    ipv6: bool | None = None
    open_to_world: bool | None = None
    source_group: str | None = None
    prefix_list: str | None = None
    description: str | None = None


class NetworkAclEntry(Entry):
    """One entry of a network ACL (ingress or egress), by rule number."""

    rule_number: int | None = None
    action: str | None = None
    protocol: str | None = None
    from_port: int | None = None
    to_port: int | None = None
    cidr: str | None = None
    ipv6: bool | None = None
    open_to_world: bool | None = None


class FlowLog(Entry):
    """A flow log of a VPC."""

    id: str | None = None
    status: str | None = None
    deliver_logs_status: str | None = None
    traffic_type: str | None = None
    destination_type: str | None = None
    destination: str | None = None


@resource_type(REGION)
class Ec2Region(Props):
    """`aws.ec2.region`"""

    ebs_default_encryption: bool | None = None


@resource_type(SECURITY_GROUP)
class Ec2SecurityGroup(Props):
    """`aws.ec2.security_group`: id = group id, name = group name, arn from `SecurityGroupArn`."""

    group_name: str | None = None
    description: str | None = None
    vpc_id: str | None = None
    is_default: bool | None = None
    ingress: list[SecurityGroupRule] | None = None
    egress: list[SecurityGroupRule] | None = None


@resource_type(VOLUME)
class Ec2Volume(Props):
    """`aws.ec2.volume`: id = volume id, name = `Name` tag or the id."""

    encrypted: bool | None = None
    kms_key_id: str | None = None
    state: str | None = None
    size_gib: int | None = None
    volume_type: str | None = None
    availability_zone: str | None = None
    snapshot_id: str | None = None
    created: str | None = None
    attached_instance_ids: list[str] | None = None
    attached: bool | None = None


@resource_type(INSTANCE)
class Ec2Instance(Props):
    """`aws.ec2.instance`: id = instance id, name = `Name` tag or the id. Terminated instances AWS still lists are"""

    state: str | None = None
    instance_type: str | None = None
    image_id: str | None = None
    platform: str | None = None
    launch_time: str | None = None
    vpc_id: str | None = None
    subnet_id: str | None = None
    private_ip: str | None = None
    public_ip: str | None = None
    public_dns: str | None = None
    iam_instance_profile: str | None = None
    security_group_ids: list[str] | None = None
    volume_ids: list[str] | None = None
    metadata_http_tokens: str | None = None
    metadata_http_endpoint: str | None = None
    metadata_hop_limit: int | None = None


@resource_type(VPC)
class Ec2Vpc(Props):
    """`aws.ec2.vpc`: id = VPC id, name = `Name` tag or the id."""

    cidr_block: str | None = None
    state: str | None = None
    is_default: bool | None = None
    flow_logs: list[FlowLog] | None = None


@resource_type(NETWORK_ACL)
class Ec2NetworkAcl(Props):
    """`aws.ec2.network_acl`: id = network ACL id, name = `Name` tag or the id."""

    vpc_id: str | None = None
    is_default: bool | None = None
    subnet_ids: list[str] | None = None
    ingress: list[NetworkAclEntry] | None = None
    egress: list[NetworkAclEntry] | None = None


@resource_type(SNAPSHOT)
class Ec2Snapshot(Props):
    """`aws.ec2.snapshot`"""

    encrypted: bool | None = None
    kms_key_id: str | None = None
    volume_id: str | None = None
    volume_size_gib: int | None = None
    state: str | None = None
    started: str | None = None
    description: str | None = None
    public: bool | None = None
    shared_with_accounts: list[str] | None = None


@resource_type(IMAGE)
class Ec2Image(Props):
    """`aws.ec2.image`"""

    public: bool | None = None
    state: str | None = None
    image_name: str | None = None
    description: str | None = None
    created: str | None = None
    deprecation_time: str | None = None
    platform: str | None = None
    architecture: str | None = None
    snapshot_ids: list[str] | None = None
    ebs_encrypted: bool | None = None
