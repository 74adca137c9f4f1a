"""Demo EC2 and VPC: a production VPC in Tokyo with one tidy and one sloppy side.

What each EC2 rule sees in the demo (``prod`` account unless said otherwise):

* EBS default encryption is on in ap-northeast-1 and off in us-east-1
  (ec2_ebs_default_encryption_off passes / fails).
* volumes: ``billing-data`` (encrypted, attached to billing-api) and the instances' root
  volumes pass; ``legacy-scratch`` (us-east-1, unencrypted) fails ec2_ebs_volume_unencrypted.
  (The emulator does not apply default encryption to new volumes, so the Tokyo root volumes
  ask for encryption explicitly, as AWS would give them.)
* VPC ``acme-prod`` (ap-northeast-1) sends flow logs to the ``acme-prod-logs`` bucket and its
  default security group is emptied; the emulator's default VPCs have neither (flow logs
  and default security group rules fail there).
* security groups: ``web-admin`` opens 22 to 0.0.0.0/0 (fails the IPv4 admin port and the
  high-risk port rules),
  ``rdp-jump`` opens 3389 to ::/0 (fails the IPv6 one), ``billing-api`` allows 443 and 22
  only from inside the VPC (passes both).
* network ACLs: ``acme-prod-public`` allows 22 from 0.0.0.0/0 (fails); ``acme-prod-private``
  allows 443 from the VPC and denies the rest (passes); default ACLs allow everything (fail).
* instances: ``billing-api`` (IMDSv2 required, private, instance profile) passes;
  ``bastion`` (IMDSv1 allowed, public IP, no instance profile) fails
  ec2_instance_imdsv1_allowed, ec2_instance_public_ip and ec2_instance_no_iam_profile.
* snapshots and AMIs: ``billing-data-nightly`` (Tokyo, encrypted, private) and the AMI
  ``acme-billing-api-2025-06`` pass ec2_ebs_snapshot_public, ec2_ebs_snapshot_unencrypted
  and ec2_ami_public; ``legacy-scratch-2019`` (us-east-1, unencrypted, restorable by
  everyone) and the public AMI ``acme-legacy-tools-2019`` fail them. (The emulator backs
  each registered AMI with an unencrypted snapshot of its own, which fails
  ec2_ebs_snapshot_unencrypted too; AWS would use the snapshot named in the mapping.)
"""

from __future__ import annotations

from typing import Any

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"
_AMI_FALLBACK = "ami-0a1b2c3d4e5f67890"
_ROOT = [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "Encrypted": True}}]


def _tags(name: str, **extra: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": name}, *({"Key": k, "Value": v} for k, v in extra.items())]


def _spec(kind: str, name: str, **extra: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": _tags(name, **extra)}]


def _ami(ec2: Any) -> str:
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn2-ami-*"]}])["Images"]
    return str(images[0]["ImageId"]) if images else _AMI_FALLBACK


def _flow_log_bucket(env: SeedEnv) -> str:
    """The prod log bucket from the S3 seeder; a bucket of our own when seeded alone."""
    shared = env.shared.get("flow_log_bucket", {}).get("prod")
    if shared:
        return str(shared)
    bucket = "acme-prod-flow-logs"
    env.client("s3", TOKYO).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": TOKYO})
    return bucket


def _group(ec2: Any, vpc: str, name: str, description: str, *perms: dict[str, Any]) -> str:
    gid = str(ec2.create_security_group(GroupName=name, Description=description, VpcId=vpc, TagSpecifications=_spec("security-group", name))["GroupId"])
    if perms:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=list(perms))
    return gid


def _tcp(port: int, cidr: str = "", cidr6: str = "", group: str = "", desc: str = "") -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if cidr:
        perm["IpRanges"] = [{"CidrIp": cidr, "Description": desc}]
    if cidr6:
        perm["Ipv6Ranges"] = [{"CidrIpv6": cidr6, "Description": desc}]
    if group:
        perm["UserIdGroupPairs"] = [{"GroupId": group, "Description": desc}]
    return perm


def _acl(ec2: Any, vpc: str, name: str, *entries: tuple[int, str, int, str]) -> str:
    acl = str(ec2.create_network_acl(VpcId=vpc, TagSpecifications=_spec("network-acl", name))["NetworkAcl"]["NetworkAclId"])
    for number, action, port, cidr in entries:
        entry: dict[str, Any] = {"Protocol": "6", "PortRange": {"From": port, "To": port}} if port else {"Protocol": "-1"}
        ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=number, Egress=False, RuleAction=action, CidrBlock=cidr, **entry
        )
    return acl


def _instance_profile(env: SeedEnv, name: str) -> str:
    iam = env.client("iam")
    profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    if name in (env.shared.get("iam_roles") or {}):
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return str(profile["Arn"])


@seeder("ec2", order=25)
def seed_ec2(env: SeedEnv) -> None:
    ec2 = env.client("ec2", TOKYO)
    ec2.enable_ebs_encryption_by_default()
    env.client("ec2", VIRGINIA).disable_ebs_encryption_by_default()

    vpc = str(ec2.create_vpc(CidrBlock="10.10.0.0/16", TagSpecifications=_spec("vpc", "acme-prod", env="prod"))["Vpc"]["VpcId"])
    public = str(ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.0.0/24", TagSpecifications=_spec("subnet", "acme-prod-public"))["Subnet"]["SubnetId"])
    private = str(ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24", TagSpecifications=_spec("subnet", "acme-prod-private"))["Subnet"]["SubnetId"])
    ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[vpc],
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{_flow_log_bucket(env)}",
        TagSpecifications=_spec("vpc-flow-log", "acme-prod-flow-logs"),
    )

    # The default security group of acme-prod allows nothing (CIS 5.4).
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    if default.get("IpPermissions"):
        ec2.revoke_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
    if default.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])

    web_admin = _group(ec2, vpc, "web-admin", "bastion: SSH from anywhere (to be fixed)",
                       _tcp(22, cidr="0.0.0.0/0", desc="ssh from anywhere"), _tcp(443, cidr="0.0.0.0/0", desc="https"))  # fmt: skip
    _group(ec2, vpc, "rdp-jump", "Windows jump host", _tcp(3389, cidr="10.10.0.0/16", cidr6="::/0", desc="rdp"))
    billing = _group(ec2, vpc, "billing-api", "billing API: HTTPS from the VPC, SSH from the bastion",
                     _tcp(443, cidr="10.10.0.0/16", desc="https from the vpc"), _tcp(22, group=web_admin, desc="ssh from bastion"))  # fmt: skip

    _acl(ec2, vpc, "acme-prod-public", (100, "allow", 22, "0.0.0.0/0"), (110, "allow", 443, "0.0.0.0/0"))
    _acl(ec2, vpc, "acme-prod-private", (100, "allow", 443, "10.10.0.0/16"), (200, "deny", 0, "0.0.0.0/0"))

    ami = _ami(ec2)
    api = ec2.run_instances(
        ImageId=ami, MinCount=1, MaxCount=1, BlockDeviceMappings=_ROOT, InstanceType="t3.small", SubnetId=private, SecurityGroupIds=[billing],
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
        IamInstanceProfile={"Arn": _instance_profile(env, "billing-api")},
        TagSpecifications=_spec("instance", "billing-api", team="billing"),
    )["Instances"][0]  # fmt: skip
    ec2.run_instances(
        ImageId=ami, MinCount=1, MaxCount=1, BlockDeviceMappings=_ROOT, InstanceType="t3.micro",
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": public, "Groups": [web_admin], "AssociatePublicIpAddress": True}],
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
        TagSpecifications=_spec("instance", "bastion", team="platform"),
    )  # fmt: skip

    data = ec2.create_volume(AvailabilityZone=api["Placement"]["AvailabilityZone"], Size=50, VolumeType="gp3",
                             Encrypted=True, TagSpecifications=_spec("volume", "billing-data", team="billing"))  # fmt: skip
    ec2.attach_volume(VolumeId=data["VolumeId"], InstanceId=api["InstanceId"], Device="/dev/sdf")
    virginia = env.client("ec2", VIRGINIA)
    legacy = virginia.create_volume(
        AvailabilityZone=f"{VIRGINIA}a", Size=100, VolumeType="gp2", Encrypted=False,
        TagSpecifications=_spec("volume", "legacy-scratch", team="data"),
    )  # fmt: skip
    _snapshots_and_images(ec2, data["VolumeId"], virginia, legacy["VolumeId"])


def _snapshots_and_images(tokyo: Any, billing_volume: str, virginia: Any, legacy_volume: str) -> None:
    """A private encrypted snapshot and AMI for billing-api; a public unencrypted snapshot and AMI of legacy tools."""
    nightly = tokyo.create_snapshot(VolumeId=billing_volume, Description="billing-data nightly",
                                    TagSpecifications=_spec("snapshot", "billing-data-nightly", team="billing"))  # fmt: skip
    tokyo.register_image(Name="acme-billing-api-2025-06", Description="billing-api golden image", RootDeviceName="/dev/xvda",
                         VirtualizationType="hvm", Architecture="x86_64",
                         BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": nightly["SnapshotId"]}}])  # fmt: skip
    old = virginia.create_snapshot(VolumeId=legacy_volume, Description="legacy-scratch before the 2019 migration",
                                   TagSpecifications=_spec("snapshot", "legacy-scratch-2019", team="data"))  # fmt: skip
    virginia.modify_snapshot_attribute(SnapshotId=old["SnapshotId"], Attribute="createVolumePermission",
                                       OperationType="add", GroupNames=["all"])  # fmt: skip
    tools = virginia.register_image(Name="acme-legacy-tools-2019", Description="shared with a contractor, years ago",
                                    RootDeviceName="/dev/xvda", VirtualizationType="hvm", Architecture="x86_64",
                                    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": old["SnapshotId"]}}])  # fmt: skip
    virginia.modify_image_attribute(ImageId=tools["ImageId"], LaunchPermission={"Add": [{"Group": "all"}]})
