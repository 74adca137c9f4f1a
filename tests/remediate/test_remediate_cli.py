"""`mamori remediate`, `scan --remediate`, `guardrails` and `audit` end to end against a moto server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mamori import audit
from mamori.findings import Store

from . import estate
from .conftest import ServerAws, finding, public_bucket


def _scan(mamori: Any, server: ServerAws, *extra: str) -> Any:
    r = mamori("scan", "--endpoint-url", server.endpoint, "--regions", "us-east-1", "--services", "s3,ec2,kms", "-q", "-o", "json", *extra)
    assert r.code in (0, 1), r.err
    return r


def _open(doc: dict[str, Any], rule: str) -> list[str]:
    return [f["resource"]["id"] for f in doc["findings"] if f["rule_id"] == rule and f["status"] in ("NEW", "NOTIFIED")]


def _estate(server: ServerAws) -> str:
    public_bucket(server, "cli-open", "us-east-1")
    server.client("s3").put_bucket_acl(Bucket="cli-open", ACL="public-read")
    server.client("kms").create_key()
    return estate.world_ssh_group(server)


def test_plan_apply_rescan_rollback(mamori: Any, server: ServerAws, tmp_path: Path) -> None:
    gid = _estate(server)
    first = json.loads(_scan(mamori, server).out)
    assert "cli-open" in _open(first, "s3_bucket_public_via_acl") and gid in _open(first, "ec2_security_group_admin_port_open_ipv4")
    plan = mamori("remediate", "plan", "--endpoint-url", server.endpoint, "--rule", "s3_bucket_public_via_acl,ec2_security_group_admin_port_open_ipv4", "-o", "json")
    assert plan.code == 0, plan.err
    doc = json.loads(plan.out)
    assert {c["rule_id"] for c in doc["changes"]} == {"s3_bucket_public_via_acl", "ec2_security_group_admin_port_open_ipv4"}
    assert all(c["status"] == "planned" and c["calls"] for c in doc["changes"])
    table = mamori("remediate", "show", doc["id"])
    assert "RevokeSecurityGroupIngress" in table.out and "PutBucketAcl" in table.out
    # what and how: each call and its parameters in full (documents as JSON), never a (truncated) Python dict
    assert "{'" not in table.out and "…" not in table.out and '"Grants":' in table.out
    refused = mamori("remediate", "apply", doc["id"], "--endpoint-url", server.endpoint)
    assert refused.code == 2 and "--yes" in refused.err
    applied = mamori("remediate", "apply", doc["id"], "--endpoint-url", server.endpoint, "--yes", "-o", "json")
    assert applied.code == 0, applied.err
    out = json.loads(applied.out)
    assert {c["status"] for c in out["changes"]} == {"applied"}
    assert set(out["mutating_calls"]) == {"s3.PutBucketAcl", "ec2.RevokeSecurityGroupIngress"}
    again = mamori("remediate", "apply", doc["id"], "--endpoint-url", server.endpoint, "--yes")
    assert again.code == 0 and "Nothing to apply" in again.out
    second = json.loads(_scan(mamori, server).out)
    assert second["changes"]["resolved"] and "cli-open" not in _open(second, "s3_bucket_public_via_acl")
    assert gid not in _open(second, "ec2_security_group_admin_port_open_ipv4")
    sg_change = next(c["id"] for c in out["changes"] if c["action"] == "ec2_revoke_world_admin_ingress")
    back = mamori("remediate", "rollback", sg_change, "--endpoint-url", server.endpoint, "--yes")
    assert back.code == 0 and "rolled back" in back.out, back.err
    twice = mamori("remediate", "rollback", sg_change, "--endpoint-url", server.endpoint, "--yes")
    assert twice.code == 0 and "already rolled back" in twice.out and "nothing to do" in twice.out, twice.err
    third = json.loads(_scan(mamori, server).out)
    assert gid in _open(third, "ec2_security_group_admin_port_open_ipv4")
    plans = mamori("remediate", "list", "-o", "json")
    assert [p["id"] for p in json.loads(plans.out)] == [doc["id"]]
    assert f"{sg_change}  rolled back" in mamori("remediate", "show", sg_change).out
    shown = json.loads(mamori("remediate", "show", sg_change, "-o", "json").out)
    assert {c["action"]: c["status"] for c in shown["changes"]} == {"ec2_revoke_world_admin_ingress": "rolled_back", "s3_bucket_remove_public_acl_grants": "applied"}
    entries = json.loads(mamori("audit", "list", "-o", "json").out)
    assert [e["action"] for e in entries] == ["remediate.plan", "remediate.change", "remediate.change", "remediate.apply", "remediate.rollback"]
    assert mamori("audit", "verify").code == 0


def test_apply_by_rule_and_exit_codes(mamori: Any, server: ServerAws) -> None:
    _estate(server)
    _scan(mamori, server)
    r = mamori("remediate", "apply", "--rule", "kms_key_rotation_disabled", "--endpoint-url", server.endpoint, "--yes")
    assert r.code == 0, r.err
    assert "applied" in r.out
    assert mamori("remediate", "apply").code == 2
    # a rule no action is bound to is the caller's mistake: exit 2, not 3 (issue 12, item 13)
    unbound = mamori("remediate", "plan", "--rule", "iam_root_mfa_disabled", "--endpoint-url", server.endpoint)
    assert unbound.code == 2 and "no remediation action is bound to iam_root_mfa_disabled" in unbound.err
    assert mamori("remediate", "show", "p-doesnotexist").code == 2


def test_scan_remediate_applies_auto_and_plans_manual(mamori: Any, server: ServerAws, tmp_path: Path) -> None:
    gid = _estate(server)
    (tmp_path / "mamori.yaml").write_text(
        "guardrails:\n"
        "  default_mode: detect\n"
        "  rules:\n"
        "    s3_bucket_public_via_acl: {mode: auto}\n"
        "    ec2_security_group_admin_port_open_ipv4: {mode: manual}\n"
    )
    r = _scan(mamori, server, "--remediate")
    assert "1 applied (auto), 1 waiting for a human (manual)" in r.err, r.err
    grants = server.client("s3").get_bucket_acl(Bucket="cli-open")["Grants"]
    assert not any("AllUsers" in str(g["Grantee"].get("URI", "")) for g in grants)
    perms = server.client("ec2").describe_security_groups(GroupIds=[gid])["SecurityGroups"][0]["IpPermissions"]
    assert any(rng["CidrIp"] == "0.0.0.0/0" for p in perms for rng in p["IpRanges"])  # manual: untouched
    again = _scan(mamori, server, "--remediate")
    assert "0 applied (auto), 1 waiting" in again.err
    assert mamori("scan", "--snapshot", str(tmp_path / "mamori.yaml"), "--remediate").code == 2


def test_scan_remediate_with_nothing_to_do(mamori: Any, server: ServerAws, tmp_path: Path) -> None:
    (tmp_path / "mamori.yaml").write_text("guardrails: {default_mode: detect}\n")
    r = _scan(mamori, server, "--remediate")
    assert "nothing to do" in r.err


def test_guardrails_commands(mamori: Any, tmp_path: Path) -> None:
    (tmp_path / "mamori.yaml").write_text(
        "guardrails:\n"
        "  rules:\n"
        "    kms_key_rotation_disabled: {mode: auto, accounts: {210987654321: detect}}\n"
        "  exemptions:\n"
        "    - {rule: s3_bucket_public_via_acl, account: '123456789012', resource: site, reason: public website, approver: sec, expires: 2020-01-01}\n"
        "keys:\n"
        "  exemptions:\n"
        "    - {access_key_id: AKIAEXAMPLE, reason: vendor box, approver: sec, expires: 2999-01-01}\n"
    )
    listed = json.loads(mamori("guardrails", "list", "-o", "json").out)
    kms = next(a for a in listed["actions"] if a["name"] == "kms_enable_key_rotation")
    assert kms["modes"] == {"kms_key_rotation_disabled": "auto"} and kms["account_modes"] == {"kms_key_rotation_disabled": {"210987654321": "detect"}}
    assert "kms_enable_key_rotation" in mamori("guardrails", "list").out
    pol = json.loads(mamori("guardrails", "permissions").out)
    assert pol["Version"] == "2012-10-17" and any("s3:PutBucketAcl" in st["Action"] for st in pol["Statement"])
    one = json.loads(mamori("guardrails", "permissions", "--rule", "guardduty_disabled").out)
    assert {a for st in one["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])} >= {"guardduty:CreateDetector", "iam:CreateServiceLinkedRole"}
    assert mamori("guardrails", "permissions", "--rule", "nope").code == 2
    assert mamori("guardrails", "permissions", "--action", "nope").code == 2
    ex = json.loads(mamori("guardrails", "exemptions", "-o", "json").out)
    assert [(e["kind"], e["active"]) for e in ex] == [("guardrail", False), ("access key", True)]
    assert "expired" in mamori("guardrails", "exemptions").out
    (tmp_path / "mamori.yaml").write_text("guardrails:\n  rules:\n    x: {mode: sometimes}\n")
    bad = mamori("guardrails", "list")
    assert bad.code == 2 and "guardrails.rules.x.mode" in bad.err


def test_audit_commands_detect_tampering(mamori: Any, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / ".mamori" / "mamori.db"))
    for i in range(4):
        audit.record(store.engine, actor="a", action="test.x" if i % 2 else "test.y", subject=f"s{i}", details={"i": i})
    assert len(json.loads(mamori("audit", "list", "--action", "test.x", "-o", "json").out)) == 2
    assert mamori("audit", "list", "-o", "csv").out.count("\n") == 5
    newest = mamori("audit", "list", "--limit", "1", "--since", "1d").out
    assert "s3" in newest and "s2" not in newest
    assert mamori("audit", "list", "--since", "yesterday").code == 2
    ok = mamori("audit", "verify", "-o", "json")
    head = json.loads(ok.out)["head"]
    assert json.loads(ok.out)["guarantee"] == "chain + checkpoint"
    assert "intact: 4 entries" in mamori("audit", "verify").out.replace("[/]", "")
    assert ok.code == 0 and head.startswith("4:")
    assert mamori("audit", "export", "-o", str(tmp_path / "a.jsonl")).code == 0
    assert mamori("audit", "verify", "--file", str(tmp_path / "a.jsonl")).code == 0
    assert mamori("audit", "export").out.count("\n") == 4
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    bad = mamori("audit", "verify")
    assert bad.code == 1 and "edited at 2" in bad.out
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'a' WHERE seq = 2")
        conn.exec_driver_sql("DELETE FROM audit_log WHERE seq = 4")
    truncated = mamori("audit", "verify")  # detected by the stored checkpoint, no --expect-head needed (issue 12)
    assert truncated.code == 1 and "truncated at 4" in truncated.out and "(chain + checkpoint)" in truncated.out
    assert mamori("audit", "verify", "--expect-head", head).code == 1
    store.close()


def test_apply_exits_1_when_the_plan_holds_a_planning_error(mamori: Any, server: ServerAws, tmp_path: Path) -> None:
    """A change that could not be planned (no credentials for its account) is not success: exit 1, not 0."""
    _estate(server)
    _scan(mamori, server)
    store = Store.open(str(tmp_path / ".mamori" / "mamori.db"))
    store.upsert_findings([finding("kms_key_rotation_disabled", "aws.kms.key", "k-elsewhere", "us-east-1",
                                   account="999999999999")], actor="t")  # fmt: skip
    store.close()
    r = mamori("remediate", "apply", "--rule", "kms_key_rotation_disabled", "--endpoint-url", server.endpoint, "--yes")
    assert r.code == 1, r.err
    assert "could not be planned" in r.err and "exit 1" in r.err
    assert "applied" in r.out  # the rest was applied all the same
    again = mamori("remediate", "apply", "--rule", "kms_key_rotation_disabled", "--endpoint-url", server.endpoint, "--yes")
    assert again.code == 1 and "Nothing to apply" not in again.out
