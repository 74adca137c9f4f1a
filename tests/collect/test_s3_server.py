"""S3 Control through moto's server: the account-id host prefix must not leave the endpoint."""

from __future__ import annotations

import boto3

from mamori.collect.aws.runner import collect_aws
from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials, moto_server
from mamori.demo.seeds.s3 import seed_s3
from mamori.model.resource import GLOBAL

from .test_s3 import OURS, PROD

VIRGINIA = "us-east-1"


def test_s3control_through_a_moto_server_endpoint() -> None:
    """S3 Control puts the account id in the host name; against an endpoint URL it must not."""
    with fake_credentials(), moto_server() as endpoint:
        session = boto3.Session(region_name=VIRGINIA)
        seed_s3(SeedEnv(session=session, endpoint_url=endpoint))
        target = AwsTarget(endpoint_url=endpoint, regions=DEMO_REGIONS, home_region=VIRGINIA, workers=4)
        prod = collect_aws(target, session_factory=lambda: boto3.Session(region_name=VIRGINIA), services_=["s3"])
        dev = collect_aws(target, session_factory=lambda: assume(session, DEV_ACCOUNT, endpoint), services_=["s3"])
    assert not prod.inventory.errors and not dev.inventory.errors
    assert prod.calls.calls["s3control.GetPublicAccessBlock"] == 1
    prod_acct = prod.inventory.get("aws.s3.account", PROD, GLOBAL, PROD)
    dev_acct = dev.inventory.get("aws.s3.account", DEV_ACCOUNT, GLOBAL, DEV_ACCOUNT)
    assert prod_acct is not None and prod_acct.properties["public_access_block_enabled"] is False
    assert dev_acct is not None and dev_acct.properties["public_access_block_enabled"] is True
    assert {b.id for b in prod.inventory.of_type("aws.s3.bucket")} == OURS
