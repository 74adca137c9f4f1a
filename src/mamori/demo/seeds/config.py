"""AWS Config: recording everything in one Region per account, gaps in the other.

prod: ap-northeast-1 records all supported types (and global ones); us-east-1 has no
recorder. dev: ap-northeast-1 has a recorder that was stopped; us-east-1 records only two
resource types.
"""

from __future__ import annotations

from typing import Any

from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder

SLR = "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def _recorder(cfg: Any, account: str, bucket: str, group: dict[str, Any]) -> None:
    cfg.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": f"arn:aws:iam::{account}:role/{SLR}", "recordingGroup": group}
    )
    cfg.put_delivery_channel(
        DeliveryChannel={
            "name": "default",
            "s3BucketName": bucket,
            "s3KeyPrefix": "config",
            "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"},
        }
    )
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")


@seeder("config", order=40)
def seed_config(env: SeedEnv) -> None:
    east, tokyo = "us-east-1", "ap-northeast-1"
    buckets = env.shared.get("log_bucket") or {"prod": "acme-prod-cloudtrail", "dev": "acme-dev-cloudtrail"}
    everything = {"allSupported": True, "includeGlobalResourceTypes": True}
    _recorder(env.client("config", tokyo), DEMO_ACCOUNTS["prod"], buckets["prod"], everything)

    dev_tokyo = env.client("config", tokyo, account="dev")
    _recorder(dev_tokyo, DEMO_ACCOUNTS["dev"], buckets["dev"], {"allSupported": True, "includeGlobalResourceTypes": False})
    dev_tokyo.stop_configuration_recorder(ConfigurationRecorderName="default")
    _recorder(
        env.client("config", east, account="dev"),
        DEMO_ACCOUNTS["dev"],
        buckets["dev"],
        {
            "allSupported": False,
            "resourceTypes": ["AWS::EC2::SecurityGroup", "AWS::S3::Bucket"],
            "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
        },
    )
