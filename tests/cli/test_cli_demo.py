"""`mamori demo`: the whole product on an emulated estate (its wall time is measured in benchmarks/)."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def test_demo_scans_stores_and_teaches_next_steps(mamori: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    r = mamori("demo")
    assert r.code == 0, r.err
    assert "Cloud Security Baseline" in r.out and "mamori findings list" in r.out
    assert "2 account(s)" in r.out
    listed = json.loads(mamori("findings", "list", "-o", "json").out)
    assert listed and {f["resource"]["account"] for f in listed} == {"123456789012", "210987654321"}
    scans = json.loads(mamori("scans", "list", "-o", "json").out)
    assert len(scans) == 2 and not [e for e in scans[0]["errors"] if not e["resource_id"]]
    # day two: one fix resolved itself, one new problem appeared
    assert "The next day" in r.out and "Fixed since yesterday" in r.out
    changes = json.loads(mamori("scans", "show", scans[0]["id"], "-o", "json").out)["changes"]
    assert changes["new"] and len(changes["resolved"]) >= 1
    new = [json.loads(mamori("findings", "show", i, "-o", "json").out) for i in changes["new"]]
    # only the security group opened on day two is new (it may break more than one rule)
    assert {n["resource"]["id"] for n in new} == {new[0]["resource"]["id"]}
    assert "ec2_security_group_admin_port_open_ipv4" in {n["rule_id"] for n in new}
    resolved = json.loads(mamori("findings", "list", "--status", "resolved", "-o", "json").out)
    assert "ec2_ebs_default_encryption_off" in {f["rule_id"] for f in resolved}
    # the id prefix the demo suggests is one `findings show` accepts
    shown = re.search(r"mamori findings show (\w+)", r.out)
    assert shown and mamori("findings", "show", shown.group(1)).code == 0

    # Again, into the same store, at 80 columns: the estate's ids are seeded, so nothing churns.
    # Against yesterday's last scan only the day-two changes differ: the security group opened
    # then is gone (resolved), the EBS default encryption is off again (reopened).
    monkeypatch.setenv("COLUMNS", "80")
    again = mamori("demo", "--no-drift")
    assert again.code == 0, again.err
    scans = json.loads(mamori("scans", "list", "-o", "json").out)
    third = json.loads(mamori("scans", "show", scans[0]["id"], "-o", "json").out)["changes"]
    assert third["new"] == []
    assert sorted(third["resolved"]) == sorted(changes["new"])
    assert sorted(third["reopened"]) == sorted(changes["resolved"])
    assert "0 new, 1 reopened" in again.out and f"{len(changes['new'])} resolved" in again.out

    # ... and every line fits 80 columns; each finding is one line with its full rule id and a resource
    assert max(len(line) for line in again.out.splitlines()) <= 80
    table = again.out.split("Open findings (worst first)\n", 1)[1].splitlines()
    assert table[0].split() == ["id", "sev", "rule", "resource"]
    rows = table[1:16]
    rules = {f["rule_id"] for f in listed}
    for row in rows:
        fid, sev, rule, resource = row.split(maxsplit=3)
        assert len(fid) == 10 and sev in {"crit", "high", "med", "low", "info"}
        assert rule in rules and resource.strip()


def test_demo_without_the_emulator_says_how_to_get_it(
    mamori: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "moto.server", None)  # what `import moto.server` does when it is absent
    r = mamori("demo")
    assert r.code == 2
    assert r.err.strip().count("\n") == 0 and "pip install 'mamori[demo]'" in r.err
    assert "Traceback" not in r.err + r.out


def test_demo_stop_without_a_running_emulator_is_a_clear_no(mamori: Callable[..., Any]) -> None:
    r = mamori("demo", "--stop")
    assert r.code == 2 and "nothing to stop" in r.err


def test_demo_stop_signals_the_kept_demo_and_a_stale_file_is_cleared(
    mamori: Callable[..., Any], tmp_path: Any
) -> None:
    import subprocess

    from mamori.demo import live

    # a stand-in for `mamori demo --keep-running` (its argv says demo, as the real one's does)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "demo"])
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    for _ in range(500):  # until the stand-in's argv is visible (what --stop checks); bounded
        if cmdline.exists() and b"demo" in cmdline.read_bytes():
            break
        time.sleep(0.01)
    try:
        live.ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
        live.ENV_FILE.write_text(live.env_text("http://127.0.0.1:1", proc.pid))
        r = mamori("demo", "--stop")
        seen = cmdline.read_bytes() if cmdline.exists() else b"<gone>"
        assert r.code == 0 and f"pid {proc.pid}" in r.out, (r.err, proc.poll(), seen)
        assert "unset MAMORI_ENDPOINT_URL" in r.out
        assert proc.wait(10) != 0  # terminated by the signal
    finally:
        proc.kill()
    # the process is gone but its file is left (a kill -9): --stop says so and clears it
    r = mamori("demo", "--stop")
    assert r.code == 2 and "already stopped" in r.err and not live.ENV_FILE.exists()
