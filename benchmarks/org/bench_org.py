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

``--mode broker`` (issue 15's distributed figures): per size, `scan --org` in one process
with a store, then `scan --org --broker` on the local RabbitMQ/Redis three times, each with
2 fresh `mamori worker -c 1` processes and a fresh SQLite store: plain; one worker SIGKILLed
(its process group) once the first shard is stored; every worker SIGKILLed once a quarter of
the shards are stored and 2 new ones started 3 s later (the scan waits; its shards wait in the
queue). Every run's finding ids must equal the single process's (organization-level findings
included). CPU: the scan process (os.wait4) and the workers (/proc, every process of their
trees); the moto server's own CPU is not counted.

``--latency-ms`` sleeps that long before every HTTP request mamori sends (a `sitecustomize`
that wraps botocore's ``Endpoint._send``, in the CLI process and its worker processes), so
that the scan is bound by AWS-like latency rather than by moto's CPU, and scaling with
workers shows. Figures depend on load: the script prints `uptime` before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).parents[1]))
from procs import BIN, cpu_of, hwm_mb, start_moto, stored_shards, tree

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


BROKER = os.environ.get("MAMORI_BENCH_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("MAMORI_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def _timed(cmd: list[str], env: dict[str, str], cwd: Path, during: Any = None) -> tuple[dict[str, Any], float, float]:
    """Run the scan: (its JSON, wall s, CPU s of the scan process and its children by os.wait4)."""
    out_p, err_p = cwd / f"scan-{uuid.uuid4().hex[:6]}.json", cwd / "scan.err"
    t0 = time.perf_counter()
    with open(out_p, "w") as out_f, open(err_p, "a") as err_f:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out_f, stderr=err_f)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if during is not None:
                during()
            time.sleep(0.2)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"scan failed ({code}): {err_p.read_text()[-3000:]}")
    return json.loads(out_p.read_text()), wall, ru.ru_utime + ru.ru_stime


def run_broker(url: str, ids: list[str], site: Path, latency: float) -> list[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="mamori-bench-orgfleet-"))
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "MAMORI_BENCH_LATENCY_MS": str(latency),
           "MAMORI_FLEET_LATENCY_MS": str(int(latency)),
           "PYTHONPATH": str(site) + os.pathsep + os.environ.get("PYTHONPATH", "")}  # fmt: skip
    env.pop("MAMORI_CONFIG", None)
    base = [str(BIN / "mamori"), "scan", "--org", "--endpoint-url", url, "--regions", ",".join(REGIONS), "-o", "json", "-q"]
    doc, wall, cpu = _timed([*base, "--db", f"sqlite:///{tmp / 'single.db'}"], {**env, "MAMORI_FLEET_LATENCY_MS": "0"}, tmp)
    ref = sorted(f["id"] for f in doc["findings"])
    org_level = sum(1 for f in doc["findings"] if f["rule_id"].startswith("organizations_"))
    accounts = len(doc["scan"]["accounts"])
    rows = [{"run": "--org, 1 process", "members": len(ids), "accounts": accounts, "wall_s": round(wall, 1),
             "cpu_s": round(cpu, 1), "api_calls": doc["scan"]["api_calls"],
             "calls_per_account": round(doc["scan"]["api_calls"] / accounts, 1), "findings": len(ref),
             "org_level_findings": org_level, "load": [round(x, 1) for x in os.getloadavg()]}]  # fmt: skip
    print(json.dumps(rows[-1]), flush=True)
    def one(scenario: str) -> dict[str, Any]:
        db = tmp / f"{scenario}.db"
        queue = f"mamori-bench-{uuid.uuid4().hex[:8]}"
        cpu_by_pid: dict[int, float] = {}
        peak: dict[int, float] = {}
        workers: list[subprocess.Popen[bytes]] = []

        def start() -> None:
            workers.append(subprocess.Popen(
                [str(BIN / "mamori"), "worker", "--broker", BROKER, "--redis", REDIS, "--queue", queue, "-c", "1",
                 "--db", f"sqlite:///{db}", "--rate", "1000", "--burst", "1000", "--account-cap", "8"],
                env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            ))  # fmt: skip

        def sample() -> None:
            for w in workers:
                for p in tree(w.pid):
                    cpu_by_pid[p] = max(cpu_by_pid.get(p, 0.0), cpu_of(p, reaped_children=False))
                    peak[p] = max(peak.get(p, 0.0), hwm_mb(p))

        def kill(w: subprocess.Popen[bytes]) -> None:
            sample()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(w.pid, signal.SIGKILL)
            w.wait()

        events: list[str] = []
        total = accounts * (1 + len(REGIONS))

        def during() -> None:
            sample()
            n = stored_shards(db)
            if scenario == "kill-one" and not events and n >= 1:
                kill(workers[0])
                events.append(f"SIGKILL worker 1 at {n}/{total} shards")
            if scenario == "kill-all-restart" and not events and n >= total // 4:
                for w in list(workers):
                    kill(w)
                events.append(f"SIGKILL both workers at {n}/{total} shards")
                time.sleep(3)
                events.append(f"{stored_shards(db)}/{total} stored 3 s later, nothing running; 2 new workers")
                start()
                start()

        start()
        start()
        time.sleep(3)
        try:
            doc, wall, cpu = _timed([*base, "--db", f"sqlite:///{db}", "--broker", BROKER, "--redis", REDIS,
                                     "--queue", queue], env, tmp, during)  # fmt: skip
        finally:
            for w in workers:
                if w.poll() is None:
                    kill(w)
            try:
                from kombu import Connection

                with Connection(BROKER, connect_timeout=5) as conn:
                    conn.default_channel.queue_delete(queue)
            except Exception as exc:  # the figures stand; say what is left behind
                print(f"could not delete queue {queue}: {exc}", file=sys.stderr)
        got = sorted(f["id"] for f in doc["findings"])
        return {
            "run": f"--org --broker, 2 workers, {scenario}", "members": len(ids), "accounts": len(doc["scan"]["accounts"]),
            "wall_s": round(wall, 1), "cpu_s": round(cpu + sum(cpu_by_pid.values()), 1), "scan_cpu_s": round(cpu, 1),
            "worker_cpu_s": round(sum(cpu_by_pid.values()), 1), "peak_rss_mb_per_worker_process": round(max(peak.values() or [0.0]), 1),
            "shards": doc["fleet"]["shards"], "api_calls": doc["scan"]["api_calls"],
            "calls_per_account": round(doc["scan"]["api_calls"] / max(1, len(doc["scan"]["accounts"])), 1),
            "findings": len(got), "org_level_findings": sum(1 for f in doc["findings"] if f["rule_id"].startswith("organizations_")),
            "identical_to_single": got == ref, "redelivered": len(doc["fleet"]["redelivered"]),
            "failed_shards": doc["fleet"]["failed_shards"], "events": events, "org_checks": doc["fleet"]["organization"]["org_checks"],
            "load": [round(x, 1) for x in os.getloadavg()],
        }  # fmt: skip

    for scenario in ("plain", "kill-one", "kill-all-restart"):
        rows.append(one(scenario))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", default="10,25,50")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--mode", choices=("org", "role-arn", "broker"), default="org")
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
                if args.mode == "broker":
                    out.extend(run_broker(url, ids, site, args.latency_ms))
                    continue
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
