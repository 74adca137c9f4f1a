"""The demo estate's IAM Identity Center: users, permission sets, no standing assignment; access works on it."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.access import service
from mamori.access.granters import IdentityCenterGranter
from mamori.access.service import NewRequest
from mamori.config.access import AccessConfig
from mamori.demo.estate import DEMO_ACCOUNT, SeedEnv
from mamori.demo.seeds.identity_center import PERMISSION_SETS, USERS, seed_identity_center
from mamori.findings import Store
from tests.access.conftest import T0
from tests.remediate.conftest import reset_moto


@pytest.fixture
def demo_env() -> Iterator[SeedEnv]:
    with mock_aws():
        reset_moto()
        try:
            env = SeedEnv(session=boto3.Session(region_name="us-east-1"), endpoint_url=None)
            seed_identity_center(env)
            yield env
        finally:
            reset_moto()


def test_the_demo_identity_center_has_no_standing_access_and_grants_just_in_time(demo_env: SeedEnv, sqlite_store: Store) -> None:
    info = demo_env.shared["identity_center"]
    assert info["users"] == sorted(USERS) and info["permission_sets"] == sorted(PERMISSION_SETS)
    sso = demo_env.client("sso-admin", "us-east-1")
    granter = IdentityCenterGranter(lambda s, r: demo_env.client(s, r))
    ps = granter.permission_set_arn("Operator")

    def assigned() -> list[str]:
        got = sso.list_account_assignments(InstanceArn=info["instance_arn"], AccountId=DEMO_ACCOUNT, PermissionSetArn=ps)
        return [a["PrincipalId"] for a in got["AccountAssignments"]]

    assert assigned() == []
    cfg = AccessConfig(approvers=["bob", "carol"])
    req = service.request_access(sqlite_store.engine, cfg, NewRequest("alice", (DEMO_ACCOUNT,), "Operator", "1h", "demo", ticket="DEMO-1"), now=T0)
    service.approve(sqlite_store.engine, req.id, actor="bob", now=T0, granter=granter)
    assert assigned() == [granter.user_id("alice")]


def test_the_examples_load() -> None:
    from pathlib import Path

    from mamori.access.runbook import parse
    from mamori.config import load_config

    root = Path(__file__).resolve().parents[2] / "examples"
    rb = parse((root / "runbooks" / "close-partner-exchange.yaml").read_bytes(), "close-partner-exchange.yaml")
    assert [s.action for s in rb.steps] == ["s3_bucket_block_public_access", "s3_bucket_remove_public_policy_statements"]
    cfg = load_config(root / "access.yaml")
    assert cfg.access.policy_for("AdministratorAccess", ["123456789012"], cfg.account_groups).approvals_required == 2
