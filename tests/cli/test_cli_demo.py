"""`mamori demo`: the whole product on an emulated estate (its wall time is measured in benchmarks/)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def test_demo_scans_stores_and_teaches_next_steps(mamori: Callable[..., Any]) -> None:
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
