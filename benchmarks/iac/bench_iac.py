"""`mamori gate iac` throughput: a 1,000-resource Terraform plan JSON and a 700-file Terraform tree.

    python benchmarks/iac/bench_iac.py [--resources 1000] [--files 700] [--runs 3]

Generates the inputs under benchmarks/out/iac/ (a plan in the shape of `terraform show -json`
with S3 buckets and their split resources, security groups, queues, tables, volumes, IAM
policies and Lambda functions, some values `known after apply`; a tree of 70 root modules of
10 files each, with variables, locals, count/for_each and a local module), then runs the
gate's service end to end (read, resolve, adapt, evaluate every IaC rule, waivers) and prints
the median wall time of each. Targets (issue 19): plan < 10 s, tree < 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "out" / "iac"

KINDS = [
    ("aws_s3_bucket", lambda i: {"bucket": f"b-{i}", "tags": {"team": "t"}}),
    ("aws_s3_bucket_versioning", lambda i: {"bucket": f"b-{i - 1}", "versioning_configuration": [{"status": "Enabled"}]}),
    ("aws_security_group", lambda i: {"name": f"sg-{i}", "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0" if i % 3 else "10.0.0.0/8"]}], "egress": []}),
    ("aws_sqs_queue", lambda i: {"name": f"q-{i}", "sqs_managed_sse_enabled": None}),
    ("aws_dynamodb_table", lambda i: {"name": f"t-{i}", "deletion_protection_enabled": i % 2 == 0, "point_in_time_recovery": [{"enabled": True}]}),
    ("aws_ebs_volume", lambda i: {"size": 10, "encrypted": i % 2 == 0}),
    ("aws_iam_policy", lambda i: {"name": f"p-{i}", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*" if i % 4 else "*", "Resource": "*"}]})}),
    ("aws_lambda_function", lambda i: {"function_name": f"f-{i}", "runtime": "python3.12", "package_type": "Zip"}),
    ("aws_kms_key", lambda i: {"enable_key_rotation": i % 2 == 0}),
    ("aws_cloudwatch_log_group", lambda i: {"name": f"g-{i}", "retention_in_days": 30}),
]  # fmt: skip


def make_plan(n: int) -> Path:
    resources, changes = [], []
    for i in range(n):
        rtype, values = KINDS[i % len(KINDS)]
        addr = f"{rtype}.r{i}" if i % 5 else f"module.m{i % 7}.{rtype}.r{i}"
        vals = values(i)
        resources.append({"address": addr, "mode": "managed", "type": rtype, "name": f"r{i}", "values": vals})
        unknown = {"sqs_managed_sse_enabled": True} if rtype == "aws_sqs_queue" else {}
        changes.append({"address": addr, "change": {"actions": ["create"], "after_unknown": unknown}})
    OUT.mkdir(parents=True, exist_ok=True)
    p = OUT / f"plan-{n}.json"
    p.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}, "resource_changes": changes}))
    return p


FILE = """
resource "aws_s3_bucket" "b{j}" {{
  count  = var.replicas
  bucket = "${{local.prefix}}-{j}-${{count.index}}"
}}
resource "aws_s3_bucket_versioning" "v{j}" {{
  count  = var.replicas
  bucket = aws_s3_bucket.b{j}[count.index].id
  versioning_configuration {{
    status = var.versioning ? "Enabled" : "Suspended"
  }}
}}
resource "aws_security_group" "s{j}" {{
  name = "sg-{j}"
  dynamic_note = "x"
  ingress {{
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = [var.admin_cidr]
  }}
}}
resource "aws_sqs_queue" "q{j}" {{
  for_each = toset(["a", "b"])
  name     = "${{local.prefix}}-{j}-${{each.key}}"
  kms_master_key_id = aws_kms_key.k.arn
}}
"""


def make_tree(files: int) -> Path:
    root = OUT / f"tree-{files}"
    roots = max(1, files // 10)
    for r in range(roots):
        d = root / f"stack{r:03d}"
        (d / "modules" / "net").mkdir(parents=True, exist_ok=True)
        (d / "variables.tf").write_text('variable "replicas" { default = 2 }\nvariable "versioning" { default = true }\nvariable "admin_cidr" {}\n'
                                        'locals { prefix = "acme-${terraform.workspace}" }\nresource "aws_kms_key" "k" { enable_key_rotation = true }\n'
                                        'module "net" {\n  source = "./modules/net"\n  cidr = "10.0.0.0/16"\n}\n')  # fmt: skip
        (d / "modules" / "net" / "main.tf").write_text('variable "cidr" {}\nresource "aws_vpc" "v" { cidr_block = var.cidr }\n'
                                                       'resource "aws_flow_log" "f" {\n  vpc_id = aws_vpc.v.id\n  traffic_type = "ALL"\n}\n')  # fmt: skip
        for j in range(files // roots - 2):
            (d / f"s{j:02d}.tf").write_text(FILE.format(j=j))
    return root


def timed(path: Path, runs: int) -> tuple[float, dict[str, int], int]:
    from mamori.gate.iac.service import IacRequest, run_iac_gate

    times, cpus = [], []
    report = None
    for _ in range(runs):
        t, c = time.perf_counter(), _cpu()
        report = run_iac_gate(IacRequest(path=path, include_pass=True))
        times.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    assert report is not None
    return statistics.median(times), statistics.median(cpus), report.counts(), report.resources


def _cpu() -> float:
    """CPU seconds of this process and its (finished) worker processes."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=1000)
    ap.add_argument("--files", type=int, default=700)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    plan, tree = make_plan(a.resources), make_tree(a.files)
    tf_files = sum(1 for _ in tree.rglob("*.tf"))
    out = {"load": os.getloadavg()[0]}
    s, cpu, counts, n = timed(plan, a.runs)
    out["plan"] = {"resources_in_plan": a.resources, "typed_resources": n, "median_s": round(s, 2), "cpu_s": round(cpu, 2), "counts": counts}
    s, cpu, counts, n = timed(tree, a.runs)
    out["tree"] = {"tf_files": tf_files, "typed_resources": n, "median_s": round(s, 2), "cpu_s": round(cpu, 2), "counts": counts}
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
