"""A full scan of an emulated estate through a moto server process: wall time and API calls.

Seeds an estate of about --resources resources (IAM users with keys, buckets, security
groups, volumes, KMS keys, instances) across two regions in a separate `moto_server`
process, then collects and evaluates it exactly as `mamori scan --endpoint-url` does,
counting every API call with a botocore event hook.

    python benchmarks/scan_moto_server.py [--resources 2000] [--sizes 1000,2000]

The API-call count must grow with resources (per-item detail calls where AWS has no bulk
call), never with rules x resources: collection does not know the rules at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from typing import Any

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procs import start_moto

from mamori.collect.aws.multi import collect_accounts
from mamori.collect.aws.session import AwsTarget
from mamori.engine import evaluate
from mamori.rules import load_rules

REGIONS = ("us-east-1", "eu-west-1")
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")


def seed(url: str, n: int) -> Counter[str]:
    """About n resources: shares of IAM users+keys, buckets, SGs, volumes, KMS keys, instances."""
    made: Counter[str] = Counter()
    s = boto3.Session(region_name="us-east-1")
    iam = s.client("iam", endpoint_url=url)
    for i in range(n // 10):
        iam.create_user(UserName=f"user-{i}")
        iam.create_access_key(UserName=f"user-{i}")
        made["iam user + key"] += 2
    for r in REGIONS:
        s3 = s.client("s3", region_name=r, endpoint_url=url)
        ec2 = s.client("ec2", region_name=r, endpoint_url=url)
        kms = s.client("kms", region_name=r, endpoint_url=url)
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        for i in range(n // 20):
            kw: dict[str, Any] = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
            s3.create_bucket(Bucket=f"bench-{r}-{i}", **kw)
            made["s3 bucket"] += 1
        for i in range(n // 8):
            g = ec2.create_security_group(GroupName=f"sg-{i}", Description="bench", VpcId=vpc)["GroupId"]
            if i % 2:
                ec2.authorize_security_group_ingress(
                    GroupId=g, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
                )
            made["ec2 security group"] += 1
        for i in range(n // 10):
            ec2.create_volume(AvailabilityZone=f"{r}a", Size=1, Encrypted=bool(i % 2))
            made["ec2 volume"] += 1
        for _ in range(n // 40):
            kms.create_key()
            made["kms key"] += 1
        ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        ec2.run_instances(ImageId=ami, MinCount=n // 40, MaxCount=n // 40, InstanceType="t3.micro")
        made["ec2 instance"] += n // 40
    return made


def run(n: int) -> dict[str, Any]:
    proc, url = start_moto()
    try:
        t0 = time.perf_counter()
        made = seed(url, n)
        seed_s = time.perf_counter() - t0
        rules = load_rules()
        t1 = time.perf_counter()
        res = collect_accounts([AwsTarget(endpoint_url=url, regions=REGIONS)])
        collect_s = time.perf_counter() - t1
        ev = evaluate(res.inventory, rules)
        total_s = time.perf_counter() - t1
        calls = res.accounts[0].calls.calls
        by_service: Counter[str] = Counter()
        for k, v in calls.items():
            by_service[k.split(".", 1)[0]] += v
        return {
            "seeded": sum(made.values()),
            "resources_collected": len(res.inventory),
            "rules": len(rules),
            "evaluations": ev.evaluations,
            "api_calls": sum(calls.values()),
            "api_calls_by_service": dict(sorted(by_service.items())),
            "collect_seconds": round(collect_s, 2),
            "scan_seconds": round(total_s, 2),
            "seed_seconds": round(seed_s, 1),
            "scope_errors": [f"{e.service} {e.region} {e.code}" for e in res.inventory.errors if not e.partial],
        }
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,2000", help="estate sizes to compare (comma-separated)")
    args = ap.parse_args()
    out = {}
    for n in (int(x) for x in args.sizes.split(",")):
        out[n] = run(n)
        print(json.dumps({"target_resources": n, **out[n]}, indent=1), flush=True)


if __name__ == "__main__":
    main()
