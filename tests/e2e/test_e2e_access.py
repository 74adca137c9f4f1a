"""End to end: `mamori access` / `mamori runbook` processes with --endpoint-url against a moto server process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import boto3

from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.identity_center import seed_identity_center

from .test_e2e_moto_server import BIN, moto_endpoint, pytestmark  # noqa: F401 - the module's fixture and marker

CONFIG = "access:\n  approvers: [bob, carol]\n  notify: [log]\n"
RUNBOOK = """\
name: close-drop
description: Block public access on the drop bucket.
steps:
  - {action: s3_bucket_block_public_access, target: "arn:aws:s3:::e2e-drop", region: us-east-1}
"""


def test_request_approve_runbook_expire_against_a_moto_server(moto_endpoint: str, tmp_path: Path) -> None:  # noqa: F811
    s = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    seed_identity_center(SeedEnv(session=s, endpoint_url=moto_endpoint))
    s.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket="e2e-drop")
    (tmp_path / "mamori.yaml").write_text(CONFIG)
    (tmp_path / "close-drop.yaml").write_text(RUNBOOK)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "MAMORI_CONFIG": str(tmp_path / "mamori.yaml"), "MAMORI_DB": str(tmp_path / "e2e.db"),
           "MAMORI_NOW": "2026-12-07T10:00:00Z"}  # fmt: skip
    env.pop("MAMORI_ACTOR", None)

    def mamori(*args: str, now: str | None = None) -> subprocess.CompletedProcess[str]:
        e = {**env, **({"MAMORI_NOW": now} if now else {})}
        return subprocess.run([str(BIN / "mamori"), *args], env=e, capture_output=True, text=True, timeout=120, cwd=tmp_path)

    ep = ("--endpoint-url", moto_endpoint)
    r = mamori("access", "request", "--account", "123456789012", "--permission-set", "Operator", "--duration", "1h",
               "--reason", "e2e", "--ticket", "E2E-1", "--actor", "alice", "-o", "json", *ep)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rid = json.loads(r.stdout)["id"]
    assert mamori("access", "approve", rid, "--actor", "alice", *ep).returncode == 2
    r = mamori("access", "approve", rid, "--actor", "bob", "-o", "json", *ep)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["grants"][0]["assignment"] == "created"
    assert mamori("runbook", "add", "close-drop.yaml", "--actor", "dave").returncode == 0
    assert mamori("runbook", "approve", "close-drop", "--actor", "carol").returncode == 0
    r = mamori("runbook", "run", "close-drop", "--request", rid, "--actor", "alice", "-o", "json", *ep, now="2026-12-07T10:05:00Z")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["steps"][0]["result"] == "verified"
    pab = s.client("s3", endpoint_url=moto_endpoint).get_public_access_block(Bucket="e2e-drop")["PublicAccessBlockConfiguration"]
    assert all(pab.values())
    r = mamori("access", "expire", "-o", "json", *ep, now="2026-12-07T11:00:00Z")
    assert json.loads(r.stdout) == {"expired": [rid]}
    assert mamori("audit", "verify").returncode == 0
