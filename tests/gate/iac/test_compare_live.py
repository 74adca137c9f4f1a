"""`gate iac plan.json --compare-live`: which open findings of the stored scan a plan fixes, which it adds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from mamori.cli.main import cli
from mamori.engine import evaluate
from mamori.findings.store import Store
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

DAY = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_compare_live_names_fixes_and_additions(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    rules = load_rules().select(["sqs_queue_not_encrypted"])
    live = Resource("aws", "111122223333", "us-east-1", "aws.sqs.queue", "jobs", name="jobs",
                    properties={"encrypted": False, "encryption": ""})  # fmt: skip
    inv = Inventory([live], collected_at=DAY)
    store = Store.open(db)
    try:
        store.record_scan(inv, evaluate(inv, rules, now=DAY), {r.id: r.spec.title for r in rules}, [], started_at=DAY, finished_at=DAY)
    finally:
        store.close()
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue", "name": "jobs",
             "values": {"name": "jobs", "sqs_managed_sse_enabled": True}},
            {"address": "aws_sqs_queue.new", "mode": "managed", "type": "aws_sqs_queue", "name": "new",
             "values": {"name": "new", "sqs_managed_sse_enabled": False}},
        ]}},
    }  # fmt: skip
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    r = CliRunner().invoke(cli, ["gate", "iac", str(tmp_path / "plan.json"), "--compare-live", "--db", db, "-o", "json"])
    doc = json.loads(r.output)
    cmp = doc["compare_live"]
    assert [x["address"] for x in cmp["fixes"] if x["rule_id"] == "sqs_queue_not_encrypted"] == ["aws_sqs_queue.jobs"]
    assert [x["address"] for x in cmp["adds"] if x["rule_id"] == "sqs_queue_not_encrypted"] == ["aws_sqs_queue.new"]
    assert r.exit_code == 1


def test_compare_live_without_a_scan_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {}}}))
    r = CliRunner().invoke(cli, ["gate", "iac", str(tmp_path / "plan.json"), "--compare-live", "--db", str(tmp_path / "empty.db")])
    assert r.exit_code == 2 and "needs a scan" in r.output
