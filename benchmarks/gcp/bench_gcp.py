"""GCP posture at scale: a generated 100,000-asset Cloud Asset Inventory export, evaluated end to end.

    python benchmarks/gcp/bench_gcp.py [--assets 100000] [--runs 1] [--keep]

Generates ``benchmarks/out/gcp/resources.json`` (RESOURCE content, NDJSON) and ``iam.json``
(IAM_POLICY content) from the demo estate's builders (mamori/demo/gcp_estate.py): projects
under folders of one organization, half compliant, half not, each with the demo's 45-odd
assets plus a realistic bulk of instances, disks, buckets, firewall rules, subnets and
service-account keys (disks and service accounts are asset types mamori reads but no rule
evaluates, as in a real export). Then runs ``mamori scan --gcp-assets resources.json
--gcp-assets iam.json --no-store -o json`` as a child process and reports wall time, CPU
time (user + system) and the child's peak RSS, with the load average. Targets (issue 23):
< 20 s and < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mamori.demo.gcp_estate import Project, organization, write_ndjson

OUT = Path(__file__).resolve().parents[1] / "out" / "gcp"


def bulk(p: Project, n: int) -> list[dict[str, Any]]:
    """``n`` more assets for a project: the mix of a typical estate (instances and their disks dominate)."""
    good, pid = p.good, p.id
    out: list[dict[str, Any]] = []
    template = p.compute()[0]
    for i in range(n):
        kind = i % 10
        if kind < 3:  # instances
            a = json.loads(json.dumps(template))
            a["name"] = a["name"].replace("web-1", f"vm-{i}")
            a["resource"]["data"]["name"] = f"vm-{i}"
        elif kind < 6:  # their disks (read, no rule)
            a = p.asset(f"//compute.googleapis.com/projects/{pid}/zones/us-central1-a/disks/d-{i}", "compute.googleapis.com/Disk",
                        {"name": f"d-{i}", "sizeGb": "50", "type": "pd-balanced", "users": [f"vm-{i - 3}"]}, "us-central1-a")  # fmt: skip
        elif kind == 6:
            a = p.asset(f"//storage.googleapis.com/{pid}-b{i}", "storage.googleapis.com/Bucket",
                        {"name": f"{pid}-b{i}", "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": good}}}, "us")  # fmt: skip
        elif kind == 7:
            a = p.asset(f"//compute.googleapis.com/projects/{pid}/global/firewalls/fw-{i}", "compute.googleapis.com/Firewall",
                        {"name": f"fw-{i}", "direction": "INGRESS", "sourceRanges": ["10.0.0.0/8"] if good else ["0.0.0.0/0"],
                         "allowed": [{"IPProtocol": "tcp", "ports": [str(8000 + i % 1000)]}]})  # fmt: skip
        elif kind == 8:
            a = p.asset(f"//compute.googleapis.com/projects/{pid}/regions/us-central1/subnetworks/s-{i}", "compute.googleapis.com/Subnetwork",
                        {"name": f"s-{i}", "purpose": "PRIVATE", "logConfig": {"enable": good}}, "us-central1")  # fmt: skip
        else:
            a = p.asset(f"//iam.googleapis.com/projects/{pid}/serviceAccounts/sa-{i}@{pid}.iam.gserviceaccount.com", "iam.googleapis.com/ServiceAccount",
                        {"email": f"sa-{i}@{pid}.iam.gserviceaccount.com", "displayName": f"sa {i}"})  # fmt: skip
        out.append(a)
    return out


def generate(total: int) -> tuple[Path, Path, int, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    res, iam = organization(111, "example.com", True)
    per_project = 400
    i = 0
    while len(res) < total:
        p = Project(f"bench-{i:04d}", 100000 + i, ["folders/222", "organizations/111"], i % 2 == 0)
        r, m = p.project_assets()
        res += r + bulk(p, min(per_project, max(0, total - len(res) - len(r))))
        iam += m
        i += 1
    res = res[:total]
    paths = (OUT / "resources.json", OUT / "iam.json")
    write_ndjson(res, paths[0])
    write_ndjson(iam, paths[1])
    return paths[0], paths[1], len(res), i


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep benchmarks/out/gcp")
    args = ap.parse_args()
    t0 = time.perf_counter()
    res, iam, n, projects = generate(args.assets)
    gen_s = time.perf_counter() - t0
    mamori = shutil.which("mamori") or str(Path(sys.executable).with_name("mamori"))
    runs = []
    for fmt in ["json", "table"] * args.runs:
        out_file = OUT / f"scan.{fmt}"
        w0 = time.perf_counter()
        with out_file.open("wb") as out, open(os.devnull, "wb") as err:
            proc = subprocess.Popen([mamori, "scan", "--gcp-assets", str(res), "--gcp-assets", str(iam), "--no-store", "-o", fmt],
                                    stdout=out, stderr=err)  # fmt: skip
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak RSS
        wall = time.perf_counter() - w0
        if os.waitstatus_to_exitcode(status) != 0:
            sys.stderr.write(f"mamori scan -o {fmt} failed: exit {os.waitstatus_to_exitcode(status)}\n")
            return 1
        doc = json.loads(out_file.read_bytes()) if fmt == "json" else {"findings": [], "scan": {}}
        runs.append({"output": fmt, "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                     "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "findings": len(doc["findings"]) if fmt == "json" else None,
                     "results": doc["scan"].get("results")})  # fmt: skip
    print(json.dumps({"assets": n, "iam_policies": sum(1 for _ in iam.open("rb")), "projects": projects,
                      "resources_mib": round(res.stat().st_size / 2**20, 1), "generate_s": round(gen_s, 1),
                      "load_average": [round(x, 2) for x in os.getloadavg()], "runs": runs}, indent=1))  # fmt: skip
    if not args.keep:
        shutil.rmtree(OUT, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
