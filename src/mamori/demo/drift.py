"""A day in the life of the demo estate: one thing fixed, one thing broken.

Run between two scans, it shows what mamori is for over time: the fixed finding
resolves itself, the new one appears, the rest stays open (drift is visible).
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def next_day(env: SeedEnv) -> list[str]:
    """Apply the day's changes through the AWS API; return what happened, for people."""
    env.client("ec2", VIRGINIA).enable_ebs_encryption_by_default()
    ec2 = env.client("ec2", TOKYO)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["acme-prod"]}])["Vpcs"]
    vpc_id = vpcs[0]["VpcId"] if vpcs else ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="debug-ssh", Description="temporary, for a hotfix", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    return [
        f"the platform team turned on EBS default encryption in {VIRGINIA}",
        f"someone opened security group debug-ssh ({group}) to the world on port 22 in {TOKYO}",
    ]
