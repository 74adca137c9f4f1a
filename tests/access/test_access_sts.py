"""access.mode: sts — short credentials of a per-grant role with SourceIdentity = the requester."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from mamori import audit
from mamori.access import service
from mamori.access.credentials import issue
from mamori.access.granters import StsGranter
from mamori.access.model import AccessRefused
from mamori.access.service import NewRequest
from mamori.config.access import AccessConfig
from mamori.findings import Store
from tests.access.conftest import ACCOUNT, T0, IdentityCenter

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                 "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}  # fmt: skip


def test_sts_credentials_carry_the_requester_and_revocation_denies_older_sessions(
    sqlite_store: Store, ic: IdentityCenter, tmp_path: Path
) -> None:
    iam = ic.client("iam")
    iam.create_role(RoleName="mamori-jit-Operator", AssumeRolePolicyDocument=json.dumps(TRUST))
    cfg = AccessConfig(mode="sts", approvers=["bob"])
    granter = StsGranter(ic.client)
    req = service.request_access(sqlite_store.engine, cfg, NewRequest("alice", (ACCOUNT,), "Operator", "1h", "x", ticket="T-9"), now=T0)
    got = service.approve(sqlite_store.engine, req.id, actor="bob", now=T0, granter=granter)
    assert got.mode == "sts" and got.grants[0].details["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/mamori-jit-Operator"
    out = tmp_path / "creds.json"
    with pytest.raises(AccessRefused, match="granted to alice"):
        issue(sqlite_store.engine, req.id, ACCOUNT, actor="bob", now=T0, granter=granter, out=out)
    creds = issue(sqlite_store.engine, req.id, ACCOUNT, actor="alice", now=T0 + timedelta(minutes=5), granter=granter, out=out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["AccessKeyId"] == creds["AccessKeyId"]
    assert creds["AssumedRoleArn"].endswith(f"/mamori-{req.id}")
    entry = audit.entries(sqlite_store.engine, action="access.credentials")[-1]
    assert entry.details["access_key_id"] == creds["AccessKeyId"][:4] + "..." and creds["SecretAccessKey"] not in json.dumps(dict(entry.details))
    service.end(sqlite_store.engine, req.id, actor="bob", now=T0 + timedelta(minutes=10), granter=granter, reason="revoked")
    pd = iam.get_role_policy(RoleName="mamori-jit-Operator", PolicyName="MamoriRevokeOlderSessionsalice")["PolicyDocument"]
    doc = json.loads(pd) if isinstance(pd, str) else pd
    cond = doc["Statement"][0]["Condition"]
    assert cond == {"DateLessThan": {"aws:TokenIssueTime": "2026-12-07T10:10:00Z"}, "StringEquals": {"aws:SourceIdentity": "alice"}}
    with pytest.raises(AccessRefused, match="no active access"):
        issue(sqlite_store.engine, req.id, ACCOUNT, actor="alice", now=T0 + timedelta(minutes=11), granter=granter, out=out)
