"""End to end: `mamori scan --endpoint-url` (a real process) against a moto server process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.motoproc import moto_server_process

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server_process() as url:
        yield url


def test_scan_against_a_moto_server_process(moto_endpoint: str, tmp_path: Path) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    s = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    ec2 = s.client("ec2", endpoint_url=moto_endpoint)
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=False)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    sg = ec2.create_security_group(GroupName="e2e-admin", Description="e2e", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    s.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket="e2e-bucket")
    s.client("iam", endpoint_url=moto_endpoint).create_user(UserName="e2e-user")
    db = tmp_path / "e2e.db"
    cmd = [str(BIN / "mamori"), "scan", "--endpoint-url", moto_endpoint, "--regions", "us-east-1,eu-west-1", "--db", str(db), "-o", "json"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    scan = doc["scan"]
    assert scan["accounts"] == ["123456789012"]
    assert {"us-east-1", "eu-west-1"} <= set(scan["regions"])
    assert scan["api_calls"] > 0 and scan["resources"] > 0
    scope_errors = [e for e in scan["errors"] if not e["resource_id"]]
    assert not scope_errors, scope_errors  # incl. S3 Control's account public access block
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"ec2_ebs_volume_unencrypted", "ec2_security_group_admin_port_open_ipv4"} <= rules
    sg_finding = next(f for f in doc["findings"] if f["rule_id"] == "ec2_security_group_admin_port_open_ipv4")
    assert sg_finding["resource"]["id"] == sg and sg_finding["status"] == "NEW"
    # the same scan again: nothing new, the store says what is still open
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    changes = json.loads(again.stdout)["changes"]
    assert changes["new"] == [] and len(changes["still_open"]) == len(doc["findings"])
    # --fail-on turns findings into a CI failure
    failed = subprocess.run([*cmd, "--fail-on", "high", "--no-store"], env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert failed.returncode == 1
