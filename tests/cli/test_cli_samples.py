"""The sample inputs the README's tour uses (examples/) work with their commands, through main()."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRAIL = EXAMPLES / "AWSLogs"


def test_the_cloudtrail_archive_has_the_s3_layout_and_replays(mamori: Callable[..., Any]) -> None:
    files = sorted(TRAIL.rglob("*.json.gz"))
    assert files and all(f.relative_to(TRAIL).parts[1:3] == ("CloudTrail", "us-east-1") for f in files)
    r = mamori("events", "replay", str(TRAIL), "-o", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["summary"]["malformed"] == 0 and out["summary"]["files"] == len(files)
    fired = {d["detection"] for d in out["detections"]}
    assert {"cloudtrail_stop_logging", "iam_access_key_created_for_other_user", "console_login_without_mfa",
            "guardduty_detector_disabled", "root_activity"} <= fired  # fmt: skip


def test_the_cloudtrail_archive_answers_the_leaked_key_question(mamori: Callable[..., Any]) -> None:
    r = mamori("logs", "ingest", str(TRAIL))
    assert r.code == 0, r.err
    assert "13 event(s) stored" in r.err  # progress and counts go to stderr
    q = mamori("logs", "query", "key", "AKIAIOSFODNN7EXAMPLE", "-o", "json")
    assert q.code == 0, q.err
    out = json.loads(q.out)
    assert {ip["source_ip"] for ip in out["source_ips"]} == {"185.220.101.45", "198.51.100.23"}
    assert [k["for_user"] for k in out["created_keys"]] == ["admin-bob"]


def test_the_asff_and_sarif_samples_import(mamori: Callable[..., Any]) -> None:
    for name, fmt in [("securityhub.asff.json", "asff"), ("trivy.sarif", "sarif")]:
        r = mamori("findings", "import", str(EXAMPLES / "findings" / name))
        assert r.code == 0, r.err
        assert f"({fmt})" in r.out and " 0 new" not in r.out
    listed = json.loads(mamori("findings", "list", "-o", "json").out)
    assert {f["source"] for f in listed} == {"securityhub", "sarif:Trivy"}


def test_the_notifications_example_dry_runs_without_other_config(
    mamori: Callable[..., Any], monkeypatch: Any
) -> None:
    for var in ("SLACK_WEBHOOK_URL", "SMTP_PASSWORD", "MAMORI_WEBHOOK_SECRET", "MAMORI_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    assert mamori("findings", "import", str(EXAMPLES / "findings" / "securityhub.asff.json")).code == 0
    r = mamori("findings", "notify", "--dry-run", "--config", str(EXAMPLES / "notifications.yaml"), "-o", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["dry_run"] is True and out["notified"] == 0
    assert set(out["plan"]) == {"sec-slack", "sre-mail", "siem"}
    assert out["plan"]["siem"] and out["plan"]["sec-slack"]
