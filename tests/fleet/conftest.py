"""Fixtures of the distributed-scan tests: a moto server process with the demo estate, workers on the
real RabbitMQ (127.0.0.1:5672) and Redis (127.0.0.1:6379), each test on a queue of its own."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from mamori.demo.estate import DEMO_ACCOUNTS, DEMO_REGIONS, SeedEnv, fake_credentials, role_arn, seed_estate
from tests.motoproc import moto_server_process

BIN = Path(sys.executable).parent
BROKER = os.environ.get("MAMORI_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("MAMORI_TEST_REDIS", "redis://127.0.0.1:6379/0")
FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def moto_estate() -> Iterator[str]:
    """A moto server process seeded with the demo estate (two accounts, two regions)."""
    with moto_server_process() as url:
        with fake_credentials():
            seed_estate(SeedEnv(session=boto3.Session(region_name=DEMO_REGIONS[0]), endpoint_url=url))
        yield url


def target_args(endpoint: str) -> list[str]:
    out = ["--endpoint-url", endpoint, "--regions", ",".join(DEMO_REGIONS)]
    for a in DEMO_ACCOUNTS.values():
        out += ["--role-arn", role_arn(a)]
    return out


def _purge(queue: str) -> None:
    """Delete the test's queue from RabbitMQ (and what is left in it)."""
    try:
        from kombu import Connection

        with Connection(BROKER, connect_timeout=5) as conn:
            conn.default_channel.queue_delete(queue)
    except Exception:  # a queue that was never declared
        pass


@dataclass
class Fleet:
    """Workers on a queue of their own, and the commands of one test."""

    tmp: Path
    endpoint: str
    queue: str = field(default_factory=lambda: f"mamori-test-{uuid.uuid4().hex[:10]}")
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env_extra: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, **FAKE, **self.env_extra}
        env.pop("MAMORI_CONFIG", None)  # cwd is the test folder: no mamori.yaml
        return env

    def db(self, name: str) -> str:
        return f"sqlite:///{self.tmp / name}"

    def start_worker(self, db: str, concurrency: int = 1, **env: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115 - kept open for the process
        proc = subprocess.Popen(
            [str(BIN / "mamori"), "worker", "--broker", BROKER, "--redis", REDIS, "--queue", self.queue,
             "--concurrency", str(concurrency), "--db", db, "--rate", "200", "--burst", "200", "--loglevel", "info"],
            env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp, start_new_session=True,
        )  # fmt: skip
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """The worker and its pool children (its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(30)

    def scan_cmd(self, db: str, *extra: str, broker: bool = True) -> list[str]:
        cmd = [str(BIN / "mamori"), "scan", *target_args(self.endpoint), "--db", db, "-o", "json", "-q"]
        if broker:
            cmd += ["--broker", BROKER, "--redis", REDIS, "--queue", self.queue, "--wait-timeout", "600"]
        return [*cmd, *extra]

    def run(self, cmd: list[str]) -> dict[str, Any]:
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=900, cwd=self.tmp)
        assert proc.returncode == 0, proc.stderr[-3000:] + self.logs()
        return dict(json.loads(proc.stdout))

    def logs(self) -> str:
        return "".join((p.read_text(errors="replace")[-2000:]) for p in sorted(self.tmp.glob("worker-*.log")))

    def stop(self) -> None:
        for p in self.workers:
            if p.poll() is None:
                self.kill(p)
        _purge(self.queue)


@pytest.fixture
def fleet(moto_estate: str, tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(tmp_path, moto_estate)
    try:
        yield f
    finally:
        f.stop()


def finding_view(doc: dict[str, Any]) -> set[tuple[str, ...]]:
    return {(f["id"], f["rule_id"], f["resource"]["account"], f["resource"]["region"], f["resource"]["id"], f["severity"],
             f["status"], json.dumps(f["evidence"], sort_keys=True)) for f in doc["findings"]}  # fmt: skip


def wait_for(cond: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def same_scan(single: dict[str, Any], dist: dict[str, Any]) -> None:
    """Two scans' JSON documents give the same findings, ids, scores, coverage, counts and UNKNOWN scopes."""
    assert finding_view(dist) == finding_view(single)
    assert dist["scores"] == single["scores"]
    assert dist["coverage"] == single["coverage"]
    for k in ("accounts", "regions", "resources", "rules", "results"):
        assert dist["scan"][k] == single["scan"][k], k
    unknown = sorted((e["account"], e["region"], e["service"], e["code"]) for e in single["scan"]["errors"])
    assert sorted((e["account"], e["region"], e["service"], e["code"]) for e in dist["scan"]["errors"]) == unknown


def workloads_of(db: str) -> list[tuple[Any, ...]]:
    """The ``scan_workloads`` rows of a store's latest scan (where images run, for `mamori gate image`)."""
    from sqlalchemy import select

    from mamori.findings import Store
    from mamori.findings.tables import scan_workloads, scans

    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            latest = conn.execute(select(scans.c.id).order_by(scans.c.finished_at.desc()).limit(1)).scalar_one()
            got = conn.execute(select(scan_workloads).where(scan_workloads.c.scan_id == latest)).mappings().all()
    finally:
        store.close()
    return sorted((r["account"], r["region"], r["resource_type"], r["resource_id"], r["resource_arn"], r["name"],
                   r["digest"], r["exposure"], r["note"], repr(sorted(dict(r["tags"] or {}).items()))) for r in got)  # fmt: skip
