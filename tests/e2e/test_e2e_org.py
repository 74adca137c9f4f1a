"""End to end: `mamori scan --org` (a real process, 1 and 2 worker processes) against a moto server
process holding an organization with a suspended member and planted violations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from ..scan.orgutil import REGION, build_org
from .test_e2e_moto_server import moto_endpoint  # noqa: F401  (the module-scoped server fixture)

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
SERVICES = "s3,ec2,iam,guardduty,config,cloudtrail"


def scan(endpoint: str, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(BIN / "mamori"), "scan", "--org", "--endpoint-url", endpoint, "--regions", REGION,
           "--services", SERVICES, "--db", str(db), *extra]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)


def test_scan_org_against_a_moto_server(moto_endpoint: str, tmp_path: Path) -> None:  # noqa: F811
    s = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    o = build_org(s, members=3, endpoint_url=moto_endpoint)

    one = scan(moto_endpoint, tmp_path / "one.db", "-o", "json")
    assert one.returncode == 0, one.stderr
    doc = json.loads(one.stdout)
    org = doc["organization"]
    assert sorted(org["scanned"]) == sorted([o.management, *o.members])
    assert [(x["id"], x["status"]) for x in org["skipped"]] == [(o.suspended, "SUSPENDED")]
    assert not org["failed"] and not org["removed"]
    assert all(n > 0 for n in org["api_calls_per_account"].values())
    found = {(f["resource"]["account"], f["rule_id"]) for f in doc["findings"]}
    for acct in o.members:  # the planted SSH-open security group and bucket of every member
        assert any(a == acct and r.startswith("ec2_") for a, r in found), acct
        assert any(a == acct and r.startswith("s3_") for a, r in found), acct
    assert any(r.startswith("organizations_") for _, r in found)

    two = scan(moto_endpoint, tmp_path / "two.db", "-o", "json", "--workers", "2")
    assert two.returncode == 0, two.stderr
    doc2 = json.loads(two.stdout)
    assert {f["id"] for f in doc2["findings"]} == {f["id"] for f in doc["findings"]}
    assert doc2["scan"]["results"] == doc["scan"]["results"]

    table = scan(moto_endpoint, tmp_path / "one.db", "-q")
    assert table.returncode == 0, table.stderr
    assert f"skipped {o.suspended}" in table.stdout and "SUSPENDED" in table.stdout
    assert "0 new" in table.stdout  # the second scan into the same store: nothing new

    bad = scan(moto_endpoint, tmp_path / "one.db", "--accounts", "12345")
    assert bad.returncode == 2 and "12-digit" in bad.stderr and "Traceback" not in bad.stderr
    usage = subprocess.run([str(BIN / "mamori"), "scan", "--accounts", o.members[0]], capture_output=True, text=True, env=ENV)
    assert usage.returncode == 2 and "go with --org" in usage.stderr
