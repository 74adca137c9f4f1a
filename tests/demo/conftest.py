"""The demo estate, seeded once per test session into in-process moto and collected."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult, collect_aws
from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials, seed_estate
from mamori.model import Inventory


@pytest.fixture(scope="session")
def demo_collect() -> Iterator[CollectResult]:
    """Both demo accounts (prod, dev), collected and merged into one inventory.

    The emulator is stopped before the tests use the result (plain data), so no moto
    state leaks into tests that run later in the same worker.
    """
    with fake_credentials(), mock_aws():
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        seed_estate(SeedEnv(session=session, endpoint_url=None))
        target = AwsTarget(regions=DEMO_REGIONS, home_region="us-east-1")
        prod = collect_aws(target, session_factory=lambda: boto3.Session(region_name="us-east-1"))
        dev = collect_aws(target, session_factory=lambda: assume(session, DEV_ACCOUNT, None))
        inv = Inventory(collected_at=prod.inventory.collected_at, source="demo")
        inv.merge(prod.inventory)
        inv.merge(dev.inventory)
        prod.inventory = inv
    yield prod
