"""`mamori scan --org` against a moto server holding an organization: wall time, API calls per account,
peak RSS, for N member accounts x 4 Regions with planted violations in each.

    python benchmarks/org/bench_org.py --accounts 10,25,50 --workers 1,2 [--latency-ms 20]
        [--mode org|role-arn] [--services LIST] [--json out.json]

Each run: a fresh moto server process, an organization (management + N ACTIVE members + 1
SUSPENDED), in every member and Region a bucket and a security group open to SSH. Then the
installed `mamori scan --org --no-store -o json -q` runs as a child under `/usr/bin/time -v`
(peak RSS = the largest single process of the tree: with --workers the parent or one worker).
``--mode role-arn`` times the old path instead: every account named with --role-arn, the
inventories merged in one process (the figure to beat).

``--latency-ms`` sleeps that long before every HTTP request mamori sends (a `sitecustomize`
that wraps botocore's ``Endpoint._send``, in the CLI process and its worker processes), so
that the scan is bound by AWS-like latency rather than by moto's CPU, and scaling with
workers shows. Figures depend on load: the script prints `uptime` before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3

BIN = Path(sys.executable).parent
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2")
ROLE = "OrganizationAccountAccessRole"
SITE = '''
import os, time
_ms = float(os.environ.get("MAMORI_BENCH_LATENCY_MS") or 0)
if _ms > 0:
    import botocore.endpoint as _e
    _send = _e.Endpoint._send
    def _slow(self, request):
        time.sleep(_ms / 1000.0)
        return _send(self, request)
    _e.Endpoint._send = _slow
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "moto_server"), "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("moto_server did not start")


def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def build(url: str, members: int) -> list[str]:
    s = session()
    org = s.client("organizations", endpoint_url=url)
    org.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(members + 1):
        ids.append(org.create_account(AccountName=f"m{i}", Email=f"m{i}@bench.example")["CreateAccountStatus"]["AccountId"])
    org.close_account(AccountId=ids.pop())
    sts = s.client("sts", endpoint_url=url)
    for acct in ids:
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/{ROLE}", RoleSessionName="bench")["Credentials"]
        m = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                          aws_session_token=c["SessionToken"])  # fmt: skip
        for region in REGIONS:
            where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            m.client("s3", region_name=region, endpoint_url=url).create_bucket(Bucket=f"planted-{acct}-{region}", **where)
            ec2 = m.client("ec2", region_name=region, endpoint_url=url)
            sg = ec2.create_security_group(GroupName="planted-ssh", Description="planted")["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])  # fmt: skip
    return ids


def run(url: str, ids: list[str], *, mode: str, workers: int, latency: float, services: str, site: Path) -> dict[str, Any]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "MAMORI_BENCH_LATENCY_MS": str(latency),
           "PYTHONPATH": str(site) + os.pathsep + os.environ.get("PYTHONPATH", "")}  # fmt: skip
    cmd = [str(BIN / "mamori"), "scan", "--endpoint-url", url, "--regions", ",".join(REGIONS), "--no-store", "-o", "json", "-q"]
    if services:
        cmd += ["--services", services]
    if mode == "org":
        cmd += ["--org", "--workers", str(workers)]
    else:
        cmd += [a for acct in ["123456789012", *ids] for a in ("--role-arn", f"arn:aws:iam::{acct}:role/{ROLE}")]
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"mamori failed ({p.returncode}): {p.stderr[-3000:]}")
    doc = json.loads(p.stdout)
    def tv(name: str) -> float:
        m = re.search(rf"{re.escape(name)}: ([0-9.:]+)", p.stderr)
        return float(m.group(1)) if m else 0.0
    accounts = len(doc["scan"]["accounts"])
    planted = {f["resource"]["account"] for f in doc["findings"] if f["rule_id"] == "ec2_security_group_admin_port_open_ipv4"}
    return {
        "mode": mode, "members": len(ids), "accounts_scanned": accounts, "workers": workers, "latency_ms": latency,
        "wall_s": round(wall, 1), "cpu_user_s": tv("User time (seconds)"), "cpu_sys_s": tv("System time (seconds)"),
        "peak_rss_mb": round(tv("Maximum resident set size (kbytes)") / 1024, 1),
        "api_calls": doc["scan"]["api_calls"], "api_calls_per_account": round(doc["scan"]["api_calls"] / max(1, accounts), 1),
        "findings": len(doc["findings"]), "members_with_planted_ssh_finding": len(planted & set(ids)),
        "skipped": [s["status"] for s in doc.get("organization", {}).get("skipped", [])],
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", default="10,25,50")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--mode", choices=("org", "role-arn"), default="org")
    ap.add_argument("--services", default="", help="only these services (default: all)")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    out = []
    print("load before:", os.getloadavg(), flush=True)
    with tempfile.TemporaryDirectory() as d:
        site = Path(d)
        (site / "sitecustomize.py").write_text(SITE)
        for n in [int(x) for x in args.accounts.split(",")]:
            proc, url = start_moto()
            try:
                t0 = time.perf_counter()
                ids = build(url, n)
                print(f"organization with {n} members x {len(REGIONS)} regions built in {time.perf_counter() - t0:.0f}s", flush=True)
                for w in [int(x) for x in args.workers.split(",")] if args.mode == "org" else [1]:
                    row = run(url, ids, mode=args.mode, workers=w, latency=args.latency_ms, services=args.services, site=site)
                    row["loadavg_after"] = [round(x, 1) for x in os.getloadavg()]
                    print(json.dumps(row), flush=True)
                    out.append(row)
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
