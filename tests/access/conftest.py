"""Just-in-time access tests: moto's IAM Identity Center (instance, users, permission sets), a store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.access.granters import IdentityCenterGranter
from mamori.config.access import AccessConfig
from mamori.findings import Store
from tests.remediate.conftest import reset_moto

ACCOUNT = "123456789012"
OTHER = "210987654321"
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
USERS = ("alice", "bob", "carol", "dave")


@dataclass
class IdentityCenter:
    session: boto3.Session
    instance_arn: str
    store_id: str
    sets: dict[str, str]
    users: dict[str, str]

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self.session.client(service, region_name=region)

    def granter(self) -> IdentityCenterGranter:
        return IdentityCenterGranter(self.client)

    def assigned(self, user: str, permission_set: str, account: str = ACCOUNT) -> bool:
        got = self.client("sso-admin").list_account_assignments(
            InstanceArn=self.instance_arn, AccountId=account, PermissionSetArn=self.sets[permission_set]
        )["AccountAssignments"]
        return any(a["PrincipalId"] == self.users[user] for a in got)

    def inline_policy(self, permission_set: str) -> str:
        return str(self.client("sso-admin").get_inline_policy_for_permission_set(
            InstanceArn=self.instance_arn, PermissionSetArn=self.sets[permission_set]).get("InlinePolicy", ""))  # fmt: skip


def setup_identity_center(session: boto3.Session) -> IdentityCenter:
    sso = session.client("sso-admin", region_name="us-east-1")
    inst = sso.list_instances()["Instances"][0]
    ids = session.client("identitystore", region_name="us-east-1")
    users = {
        u: ids.create_user(IdentityStoreId=inst["IdentityStoreId"], UserName=u, DisplayName=u.title(),
                           Name={"GivenName": u.title(), "FamilyName": "Example"})["UserId"]
        for u in USERS
    }  # fmt: skip
    sets = {
        n: sso.create_permission_set(InstanceArn=inst["InstanceArn"], Name=n, SessionDuration="PT1H")["PermissionSet"]["PermissionSetArn"]
        for n in ("Operator", "AdministratorAccess")
    }  # fmt: skip
    return IdentityCenter(session, inst["InstanceArn"], inst["IdentityStoreId"], sets, users)


@pytest.fixture
def ic() -> Iterator[IdentityCenter]:
    with mock_aws():
        reset_moto()
        try:
            yield setup_identity_center(boto3.Session(region_name="us-east-1"))
        finally:
            reset_moto()


@pytest.fixture
def cfg() -> AccessConfig:
    return AccessConfig.model_validate({
        "approvers": ["bob", "carol", "dave"], "approvals_required": 1, "max_duration": "4h",
        "permission_sets": {"AdministratorAccess": {"approvals_required": 2, "max_duration": "1h"}},
    })  # fmt: skip


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path}/mamori.db")
    try:
        yield s
    finally:
        s.close()


RUNBOOK = """\
name: close-public-bucket
description: Turn on S3 Block Public Access on the shop's asset bucket (finding F-1).
steps:
  - action: s3_bucket_block_public_access
    target: arn:aws:s3:::shop-assets
    region: us-east-1
"""
