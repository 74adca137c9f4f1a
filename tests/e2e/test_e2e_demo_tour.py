"""The README's tour against a kept-running demo: `mamori demo --keep-running` (a real process)
writes .mamori/demo.env; with its exports, the commands that talk to AWS reach the emulator,
the demo's own hints work as printed, and `mamori demo --stop` ends it."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import Run, runner

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def _exports(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"export (\w+)=(.*)$", line)
        if m:
            out[m.group(1)] = shlex.split(m.group(2))[0]
    return out


@pytest.fixture
def kept_demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MAMORI_"))}
    proc = subprocess.Popen(
        [str(BIN / "mamori"), "demo", "--keep-running", "--no-drift"], cwd=tmp_path, env={**env, "COLUMNS": "80"},
        stdout=(tmp_path / "demo.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    envfile = tmp_path / ".mamori" / "demo.env"
    try:
        for _ in range(1800):
            if envfile.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert envfile.exists(), (tmp_path / "demo.log").read_text()
        yield proc, envfile
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(20)


def test_the_tour_reaches_the_kept_emulator_and_one_command_stops_it(
    kept_demo: tuple[subprocess.Popen[bytes], Path], tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    proc, envfile = kept_demo
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    for k in [k for k in os.environ if k.startswith(("AWS_", "MAMORI_"))]:
        monkeypatch.delenv(k)
    exports = _exports(envfile.read_text())
    for k, v in exports.items():
        monkeypatch.setenv(k, v)
    assert exports["MAMORI_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    mamori = runner(capsys)

    one: Run = mamori("remediate", "plan", "--rule", "s3_bucket_public_via_acl", "-o", "json")
    assert one.code == 0, one.err
    changes = json.loads(one.out)["changes"]
    assert changes and {c["status"] for c in changes} == {"planned"}

    # the demo's hint for both accounts: every change planned, none "no credentials for account ..."
    both = mamori("remediate", "plan", *shlex.split(exports["MAMORI_DEMO_ROLES"]), "-o", "json")
    assert both.code == 0, both.err
    statuses = [c["status"] for c in json.loads(both.out)["changes"]]
    assert statuses and set(statuses) == {"planned"}
    assert {c["resource"]["account"] for c in json.loads(both.out)["changes"]} == {"123456789012", "210987654321"}

    keys = mamori("keys", "enforce")
    assert keys.code == 0, keys.err
    assert "ci-deployer" in keys.out

    # the README's guardrails lines: the demo's organization guarded with one plan and one apply
    regions = ("--allowed-regions", exports["MAMORI_DEMO_REGIONS"])
    plan = mamori("guardrails", "deploy", "--org", *regions, "-o", "json")
    assert plan.code == 0, plan.err
    assert len(json.loads(plan.out)["accounts"]) == 2 and json.loads(plan.out)["pending"] > 0
    assert mamori("guardrails", "deploy", "--org", *regions, "--yes").code == 0
    again = mamori("guardrails", "deploy", "--org", *regions)
    assert again.code == 0 and "Nothing to change" in again.out
    assert mamori("guardrails", "drift", "--org").code == 0

    # the README's just-in-time access walk-through on the demo's Identity Center
    examples = Path(__file__).resolve().parents[2] / "examples"
    monkeypatch.setenv("MAMORI_CONFIG", str(examples / "access.yaml"))
    monkeypatch.setenv("MAMORI_NOW", "2026-12-07T10:00:00Z")
    req = mamori("access", "request", "--account", "123456789012", "--permission-set", "Operator", "--duration", "1h",
                 "--reason", "close the public partner bucket", "--finding", "3f2a9c1d", "--actor", "alice", "-o", "json")  # fmt: skip
    assert req.code == 0, req.err
    rid = json.loads(req.out)["id"]
    assert mamori("access", "approve", rid, "--actor", "alice").code == 2
    assert mamori("access", "approve", rid, "--actor", "bob").code == 0
    assert mamori("runbook", "add", str(examples / "runbooks" / "close-partner-exchange.yaml"), "--actor", "dave").code == 0
    assert mamori("runbook", "approve", "close-partner-exchange", "--actor", "dave").code == 2
    assert mamori("runbook", "approve", "close-partner-exchange", "--actor", "carol").code == 0
    monkeypatch.setenv("MAMORI_NOW", "2026-12-07T10:10:00Z")
    ran = mamori("runbook", "run", "close-partner-exchange", "--request", rid, "--actor", "alice", "-o", "json")
    assert ran.code == 0, ran.out + ran.err
    assert [s["result"] for s in json.loads(ran.out)["steps"]] == ["verified", "verified"]
    monkeypatch.setenv("MAMORI_NOW", "2026-12-07T11:00:00Z")
    assert rid in mamori("access", "expire").out
    assert mamori("audit", "verify").code == 0
    monkeypatch.delenv("MAMORI_CONFIG")
    monkeypatch.delenv("MAMORI_NOW")

    stop = mamori("demo", "--stop")
    assert stop.code == 0 and f"pid {proc.pid}" in stop.out
    assert proc.wait(30) == 0
    assert not envfile.exists()
    log = (tmp_path / "demo.log").read_text()
    assert ". .mamori/demo.env" in log and "mamori demo --stop" in log
