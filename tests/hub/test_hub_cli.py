"""`mamori findings ...` hub commands through the real entry point (in-process)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tests.clirun import Run, runner
from tests.notify.conftest import Http, http  # noqa: F401 - the fixture

SAMPLES = Path(__file__).parent / "samples"




@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("MAMORI_ACTOR", "alice")
    for p in SAMPLES.iterdir():
        shutil.copy(p, tmp_path / p.name)

    return runner(capsys)


def imported(cli: Callable[..., Run]) -> list[dict[str, object]]:
    r = cli("findings", "import", "securityhub_asff.json", "inspector2_findings.json", "guardduty_findings.json", "trivy.sarif", "prowler_ocsf.json", "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_import_list_owner_sla_overdue(cli: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "mamori.yaml").write_text("owners:\n  default: security\n  tags: [{key: team}]\nsla: {critical: 1, high: 2}\n")
    res = imported(cli)
    assert [r["format"] for r in res] == ["asff", "inspector", "guardduty", "sarif", "ocsf"]
    assert res[1]["inserted"] == 3 and res[1]["updated"] == 1  # one Inspector finding came through Security Hub already
    again = cli("findings", "import", "inspector2_findings.json")
    assert again.code == 0 and "0 new, 4 already known" in again.out
    rows = json.loads(cli("findings", "list", "-o", "json").out)
    web = next(r for r in rows if r["rule_id"] == "CVE-2017-5638")
    assert web["owner"] == "web" and web["overdue"] is True and web["due_at"].startswith("2026-11-02")
    assert web["root_cause"] == "ami-0c1a2017deadbeef0"
    overdue = json.loads(cli("findings", "list", "--overdue", "-o", "json").out)
    assert overdue and all(r["overdue"] and r["severity"] in ("critical", "high") for r in overdue)
    assert {r["owner"] for r in json.loads(cli("findings", "list", "--owner", "payments", "-o", "json").out)} == {"payments"}
    table = cli("findings", "list", "--source", "inspector")
    assert "owner" in table.out and "overdue" in table.out and "CVE-2016-2108" in table.out
    csv_head = cli("findings", "list", "-o", "csv").out.splitlines()[0]
    assert csv_head.startswith("id,rule_id,title,severity,status") and csv_head.endswith("owner,due_at,overdue")
    shown = cli("findings", "show", web["id"][:12])  # type: ignore[index]
    assert shown.code == 0 and "owner" in shown.out and "web" in shown.out and "(overdue)" in shown.out


def test_malformed_import_is_exit_2_and_stores_nothing(cli: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"findings": [{"findingArn": "arn:x"}]}')
    r = cli("findings", "import", "inspector2_findings.json", "bad.json")
    assert r.code == 2 and "bad.json:findings[0].awsAccountId" in r.err
    assert json.loads(cli("findings", "list", "-o", "json").out) == []
    r = cli("findings", "import", "--format", "sarif", "guardduty_findings.json")
    assert r.code == 2 and "guardduty_findings.json" in r.err


def test_suppress_exactly_list_unsuppress(cli: Callable[..., Run]) -> None:
    imported(cli)
    r = cli("findings", "suppress", "--resource", "ci-logs", "--reason", "public build logs", "--approver", "sec-lead", "--expires", "30d", "-o", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["suppressed"] == []  # resources are ARNs or ids, matched exactly: "ci-logs" is neither
    r = cli("findings", "suppress", "--resource", "arn:aws:s3:::ci-logs", "--reason", "public build logs", "--approver", "sec-lead", "--expires", "2099-01-01", "-o", "json")
    doc = json.loads(r.out)
    assert len(doc["suppressed"]) == 2 and doc["suppression"]["created_by"] == "alice"  # ASFF S3.8 + Prowler; the replica is not touched
    listed = json.loads(cli("findings", "list", "--status", "suppressed", "-o", "json").out)
    assert {x["resource"]["id"] for x in listed} == {"arn:aws:s3:::ci-logs"}
    assert all(x["suppression_id"] == doc["suppression"]["id"] for x in listed)
    sups = json.loads(cli("findings", "suppressions", "-o", "json").out)
    assert [s["selector"] for s in sups] == [{"resource_id": "ci-logs"}, {"resource_id": "arn:aws:s3:::ci-logs"}]
    assert cli("findings", "suppress", "--reason", "x", "--approver", "y", "--expires", "30d").code == 2  # no selector
    assert cli("findings", "suppress", "--rule", "r", "--reason", "x", "--approver", "y", "--expires", "2001-01-01").code == 2
    out = cli("findings", "unsuppress", doc["suppression"]["id"])
    assert out.code == 0 and "2 finding(s) open again" in out.out
    assert cli("findings", "list", "--status", "suppressed", "-o", "json").out.strip() == "[]"
    assert len(json.loads(cli("findings", "suppressions", "-o", "json").out)) == 1
    assert len(json.loads(cli("findings", "suppressions", "--all", "-o", "json").out)) == 2


def test_suppressions_file_from_config_and_errors(cli: Callable[..., Run], tmp_path: Path) -> None:
    imported(cli)
    (tmp_path / "mamori.yaml").write_text("suppressions_file: mamori-suppressions.yaml\n")
    (tmp_path / "mamori-suppressions.yaml").write_text(
        "suppressions:\n  - rule: S3.8\n    account: '123456789012'\n    reason: accepted until the CDN lands\n"
        "    approver: sec-lead\n    expires: 2099-12-31\n"
    )
    r = cli("findings", "refresh", "-o", "json")
    assert r.code == 0 and len(json.loads(r.out)["suppressed"]) == 1
    assert [x["rule_id"] for x in json.loads(cli("findings", "list", "--status", "suppressed", "-o", "json").out)] == ["S3.8"]
    (tmp_path / "mamori-suppressions.yaml").write_text("suppressions:\n  - rule: S3.8\n    reason: why not\n    approver: a\n    expires: never\n")
    r = cli("findings", "list")
    assert r.code == 2 and "mamori-suppressions.yaml:5:" in r.err and "expires" in r.err
    (tmp_path / "mamori-suppressions.yaml").write_text("suppressions: []\n")
    assert len(json.loads(cli("findings", "refresh", "-o", "json").out)["reopened"]) == 1
    assert cli("findings", "refresh", "--suppressions", "nope.yaml").code == 2


def test_export_asff_and_ocsf(cli: Callable[..., Run], tmp_path: Path) -> None:
    imported(cli)
    r = cli("findings", "export", "--format", "asff", "--all-sources", "-o", "out.asff.json")
    assert r.code == 0, r.err
    doc = json.loads((tmp_path / "out.asff.json").read_text())
    assert len(doc["Findings"]) == 13 and all(f["SchemaVersion"] == "2018-10-08" for f in doc["Findings"])
    assert json.loads(cli("findings", "export", "--format", "ocsf").out) == []  # mamori's own only by default
    ocsf = json.loads(cli("findings", "export", "--format", "ocsf", "--all-sources", "--status", "open").out)
    assert ocsf and all(f["class_uid"] == 2004 and f["status_id"] in (1, 2) for f in ocsf)


@mock_aws
def test_send_securityhub_against_moto(cli: Callable[..., Run]) -> None:
    imported(cli)
    boto3.client("securityhub", region_name="us-east-1").enable_security_hub()
    dry = json.loads(cli("findings", "send", "securityhub", "--all-sources", "--dry-run", "-o", "json").out)
    assert dry == {"dry_run": True, "findings": 13, "batches": 1, "region": "us-east-1", "account": "123456789012"}
    r = cli("findings", "send", "securityhub", "--all-sources", "--region", "us-east-1", "-o", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out) == {"sent": 13, "batches": 1, "calls": 1, "failed": {}}
    stored = boto3.client("securityhub", region_name="us-east-1").get_findings()["Findings"]
    assert len(stored) == 13 and all(f["ProductArn"].endswith(":product/123456789012/default") for f in stored)


def test_notify_dry_run_then_send_to_a_webhook(cli: Callable[..., Run], tmp_path: Path, http: Http) -> None:  # noqa: F811
    (tmp_path / "mamori.yaml").write_text(
        f"notifications:\n  channels:\n    hook: {{type: webhook, url: '{http.url}'}}\n  routes:\n    - {{channels: [hook], min_severity: high}}\n"
    )
    imported(cli)
    dry = cli("findings", "notify", "--dry-run")
    assert dry.code == 0 and "would queue" in dry.out and "ami-0c1a2017deadbeef0" in dry.out and not http.received
    r = cli("findings", "notify", "-o", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["channels"]["hook"]["sent"] == 1 and doc["notified"] == doc["pending_findings"] > 0
    assert json.loads(http.received[0][1])["kind"] == "digest"
    assert json.loads(cli("findings", "notify", "-o", "json").out)["pending_findings"] == 0
    log = json.loads(cli("findings", "deliveries", "-o", "json").out)
    assert [d["status"] for d in log] == ["SENT"]
    http.statuses = [500, 500, 500]
    cli("findings", "import", "--format", "sarif", "trivy.sarif")  # nothing new: no message
    (tmp_path / "new.sarif").write_text((tmp_path / "semgrep.sarif").read_text())
    cli("findings", "import", "new.sarif")
    failed = cli("findings", "notify")
    assert failed.code == 3 and "retried on the next run" in failed.out
    assert cli("findings", "notify").code == 0
    assert cli("findings", "notify", "--config", "missing.yaml").code == 2
