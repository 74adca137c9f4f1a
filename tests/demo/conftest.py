"""The demo estate, seeded once per test session into in-process moto and collected."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult, collect_aws
from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials, seed_estate


@pytest.fixture(scope="session")
def demo_collect() -> Iterator[CollectResult]:
    with fake_credentials(), mock_aws():
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        seed_estate(SeedEnv(session=session, endpoint_url=None))
        target = AwsTarget(regions=DEMO_REGIONS, home_region="us-east-1")
        yield collect_aws(target, session_factory=lambda: boto3.Session(region_name="us-east-1"))
