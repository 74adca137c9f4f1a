"""Distributed scans on Celery: throughput with 1, 2, 4 workers, a killed worker, peak RSS per worker.

    python benchmarks/fleet/bench_fleet.py [--accounts 6] [--latency-ms 20] [--workers 1,2,4] [--threads 2]

A moto server process holds N member accounts (reached with --role-arn, as an organisation's
would be) x 4 regions, each with planted violations (an unencrypted volume and an SSH-open
security group per region, a bucket). Every run: a new SQLite store (created and migrated before
the workers start, as a team's store is there before its scans; ``--store new`` leaves the
migration to the first scan and the workers' first shards), a fresh queue on the
RabbitMQ at 127.0.0.1:5672 (Redis 127.0.0.1:6379 for the buckets), N `mamori worker -c 1`
processes with MAMORI_FLEET_LATENCY_MS (each API call sleeps that long first, the round trip
of a real AWS endpoint), then `mamori scan --broker` timed wall and CPU (the scan process
and the workers, from /proc). Then 2 workers again with one SIGKILLed after the first shard:
the findings must equal the 1-worker run's. Prints JSON; `--out` writes it too.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).parents[1]))
from procs import BIN, cpu_of, hwm_mb, start_moto, stored_shards, tree

BROKER = os.environ.get("MAMORI_BENCH_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("MAMORI_BENCH_REDIS", "redis://127.0.0.1:6379/0")
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2")
FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
ROLE = "mamori-bench"


def seed(url: str, accounts: list[str]) -> None:
    base = boto3.Session(**{"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}, region_name="us-east-1")
    for acct in accounts:
        creds = base.client("sts", endpoint_url=url).assume_role(
            RoleArn=f"arn:aws:iam::{acct}:role/{ROLE}", RoleSessionName="seed")["Credentials"]  # fmt: skip
        s = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])  # fmt: skip
        s.client("s3", endpoint_url=url, region_name="us-east-1").create_bucket(Bucket=f"bench-{acct}")
        for r in REGIONS:
            ec2 = s.client("ec2", endpoint_url=url, region_name=r)
            ec2.create_volume(AvailabilityZone=f"{r}a", Size=1, Encrypted=False)
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            sg = ec2.create_security_group(GroupName="bench-ssh", Description="bench", VpcId=vpc)["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])  # fmt: skip


def pids_named(*names: str) -> list[int]:
    """Processes whose command name is one of ``names`` (the broker, Redis: their CPU over a run)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() in names:
                    out.append(int(d.name))
            except OSError:
                continue
    return out


def consumers(queue: str) -> int:
    """Consumers of ``queue`` on the broker (0 when it does not exist yet)."""
    from kombu import Connection

    try:
        with Connection(BROKER, connect_timeout=5) as conn:
            return int(conn.default_channel.queue_declare(queue, passive=True).consumer_count)
    except Exception:
        return 0


def run(url: str, accounts: list[str], n_workers: int, latency_ms: int, threads: int, kill: bool = False,
        moto_pid: int = 0, store: str = "migrated") -> dict[str, Any]:  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="mamori-bench-fleet-"))
    db = f"sqlite:///{tmp / 'fleet.db'}"
    queue = f"mamori-bench-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, **FAKE, "MAMORI_FLEET_LATENCY_MS": str(latency_ms)}
    env.pop("MAMORI_CONFIG", None)
    if store == "migrated":
        subprocess.run([str(BIN / "mamori"), "findings", "list", "--db", db, "-o", "json"], env=env, cwd=tmp,
                       check=True, capture_output=True)  # fmt: skip
    workers = [
        subprocess.Popen([str(BIN / "mamori"), "worker", "--broker", BROKER, "--redis", REDIS, "--queue", queue, "-c", "1",
                          "--db", db, "--rate", "1000", "--burst", "1000", "--account-cap", "8"],
                         env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(n_workers)
    ]  # fmt: skip
    t_ready = time.perf_counter()
    while consumers(queue) < n_workers and time.perf_counter() - t_ready < 120:
        time.sleep(0.2)  # every worker consumes (imports, rules and service models are loaded at start)
    time.sleep(0.5)
    ready_s = time.perf_counter() - t_ready
    others = {"broker": pids_named("beam.smp"), "redis": pids_named("redis-server"), "moto": [moto_pid] if moto_pid else []}
    before = {k: sum(cpu_of(p) for p in v) for k, v in others.items()}
    w_before = {w.pid: sum(cpu_of(p) for p in tree(w.pid)) for w in workers}
    cmd = [str(BIN / "mamori"), "scan", "--endpoint-url", url, "--regions", ",".join(REGIONS), "--workers", str(threads),
           "--db", db, "-o", "json", "-q", "--broker", BROKER, "--redis", REDIS, "--queue", queue]  # fmt: skip
    for a in accounts:
        cmd += ["--role-arn", f"arn:aws:iam::{a}:role/{ROLE}"]
    t0 = time.perf_counter()
    out_f, err_f = open(tmp / "scan.json", "w"), open(tmp / "scan.err", "w")  # noqa: SIM115 - files, not pipes: a full pipe would block the scan
    scan = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=out_f, stderr=err_f, text=True)
    killed = False
    peak: dict[int, float] = {}
    cpu: dict[int, float] = {}
    w_cpu: dict[int, float] = {}
    ended: dict[str, Any] = {}

    def reap() -> None:  # the scan's end to the millisecond (the sampling below sleeps 0.2 s at a time)
        _, status, usage = os.wait4(scan.pid, 0)
        ended.update(at=time.perf_counter(), code=os.waitstatus_to_exitcode(status), cpu=usage.ru_utime + usage.ru_stime)

    reaper = threading.Thread(target=reap, daemon=True)
    reaper.start()
    while True:
        reaper.join(0.2)
        if not reaper.is_alive():
            scan.returncode = int(ended["code"])
            scan_cpu = float(ended["cpu"])
            break
        for w in workers:
            for p in tree(w.pid):
                peak[p] = max(peak.get(p, 0.0), hwm_mb(p))
                cpu[p] = max(cpu.get(p, 0.0), cpu_of(p))
            if w.poll() is None:
                w_cpu[w.pid] = sum(cpu_of(p) for p in tree(w.pid)) - w_before[w.pid]
        if kill and not killed and stored_shards(tmp / "fleet.db") >= 1:  # mid-scan: the victim holds its next shard
            os.killpg(workers[0].pid, signal.SIGKILL)
            killed = True
    wall = float(ended["at"]) - t0
    for w in workers:
        if w.poll() is None:
            w_cpu[w.pid] = sum(cpu_of(p) for p in tree(w.pid)) - w_before[w.pid]
    after = {k: sum(cpu_of(p) for p in v) for k, v in others.items()}
    out_f.close()
    err_f.close()
    out, err = (tmp / "scan.json").read_text(), (tmp / "scan.err").read_text()
    for w in workers:
        if w.poll() is None:
            os.killpg(w.pid, signal.SIGKILL)
        w.wait()
    try:
        from kombu import Connection

        with Connection(BROKER, connect_timeout=5) as conn:
            conn.default_channel.queue_delete(queue)
    except Exception as exc:  # the figures stand; say what is left behind
        print(f"could not delete queue {queue}: {exc}", file=sys.stderr)
    if scan.returncode != 0:
        raise SystemExit(f"scan failed: {err[-2000:]}")
    doc = json.loads(out)
    shards = doc["fleet"]["shards"]
    return {
        "workers": n_workers, "killed_one": killed, "wall_s": round(wall, 2), "shards": shards,
        "shards_per_min": round(shards / wall * 60, 1), "api_calls": doc["scan"]["api_calls"],
        "calls_per_account": round(doc["scan"]["api_calls"] / len(accounts), 1),
        "findings": sorted(f["id"] for f in doc["findings"]), "redelivered": doc["fleet"]["redelivered"],
        "failed_shards": doc["fleet"]["failed_shards"], "throttles": sum(doc["fleet"]["throttles"].values()),
        "worker_cpu_s": round(sum(cpu.values()), 1), "worker_ready_s": round(ready_s, 1),
        "cpu_during_scan_s": {"workers": [round(v, 2) for v in w_cpu.values()], "scan_client": round(scan_cpu, 2),
                              **{k: round(after[k] - before[k], 2) for k in others}},
        "load_avg_after": [round(x, 2) for x in os.getloadavg()], "peak_rss_mb_per_process": round(max(peak.values() or [0.0]), 1),
    }  # fmt: skip


def single_process(url: str, accounts: list[str]) -> dict[str, Any]:
    """The same estate scanned by one `mamori scan` without a broker (no injected latency): the
    reference set of findings. Run first, it also warms the moto server (it builds each account's
    and Region's backends on first use), so that the first timed run does not pay for that."""
    tmp = Path(tempfile.mkdtemp(prefix="mamori-bench-single-"))
    env = {**os.environ, **FAKE}
    env.pop("MAMORI_CONFIG", None)
    cmd = [str(BIN / "mamori"), "scan", "--endpoint-url", url, "--regions", ",".join(REGIONS), "--db", f"sqlite:///{tmp / 's.db'}",
           "-o", "json", "-q"]  # fmt: skip
    for a in accounts:
        cmd += ["--role-arn", f"arn:aws:iam::{a}:role/{ROLE}"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):  # 1: findings at or above the fail threshold
        raise SystemExit(f"single-process scan failed: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    return {"wall_s": round(time.perf_counter() - t0, 2), "api_calls": doc["scan"]["api_calls"],
            "findings": sorted(f["id"] for f in doc["findings"])}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accounts", type=int, default=6)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--threads", type=int, default=2, help="collector threads inside one shard (--workers of the scan)")
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--store", choices=("migrated", "new"), default="migrated",
                    help="migrated: the store exists before the workers start (default); new: the scan creates it")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    os.environ.update(FAKE)
    moto, url = start_moto()
    try:
        accounts = [f"{100000000000 + i:012d}" for i in range(1, args.accounts + 1)]
        seed(url, accounts)
        reference = single_process(url, accounts)  # also warms moto: its backends are built on first use
        runs = [run(url, accounts, int(n), args.latency_ms, args.threads, moto_pid=moto.pid, store=args.store)
                for n in args.workers.split(",")]  # fmt: skip
        base = runs[0]["wall_s"]
        for r in runs:
            r["speedup"] = round(base / r["wall_s"], 2)
        if not args.no_kill:
            k = run(url, accounts, 2, args.latency_ms, args.threads, kill=True, moto_pid=moto.pid, store=args.store)
            k["same_findings_as_first_run"] = k["findings"] == runs[0]["findings"]
            runs.append(k)
        same = all(r["findings"] == runs[0]["findings"] for r in runs)
        same_as_single = all(r["findings"] == reference["findings"] for r in runs)
        reference["findings"] = len(reference["findings"])
        for r in runs:
            r["findings"] = len(r["findings"])
        load = os.getloadavg()
        result = {"accounts": args.accounts, "regions": len(REGIONS), "latency_ms": args.latency_ms,
                  "threads_per_shard": args.threads, "store": args.store, "identical_findings": same,
                  "identical_to_single_process": same_as_single, "single_process": reference, "runs": runs,
                  "load_avg": [round(x, 2) for x in load], "cpus": os.cpu_count()}  # fmt: skip
        text = json.dumps(result, indent=2)
        print(text)
        if args.out:
            args.out.write_text(text)
    finally:
        moto.terminate()
        try:
            moto.wait(30)
        except subprocess.TimeoutExpired:
            moto.kill()
            moto.wait()


if __name__ == "__main__":
    main()
