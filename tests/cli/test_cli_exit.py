"""How the `mamori` program ends (`mamori.cli.main.run`): the store closed, the last collection skipped."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mamori.cli import lazy
from mamori.cli import main as main_cli

EVENT = {
    "eventVersion": "1.08", "eventID": "5c1f0d7e-6a1b-4f1e-9d8a-0b2c3d4e5f60", "eventTime": "2026-11-02T09:00:00Z",
    "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "awsRegion": "us-east-1",
    "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0", "recipientAccountId": "111122223333",
    "requestParameters": {"name": "org-trail"}, "responseElements": None,
    "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/mallory",
                     "accountId": "111122223333", "userName": "mallory", "accessKeyId": "AKIAEXAMPLEKEY000001"},
}  # fmt: skip


def test_the_program_closes_the_store_before_it_exits(tmp_path: Path) -> None:
    """SQLite folds its write-ahead log back into the file: the database file alone holds the run."""
    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": [EVENT]}))
    db = tmp_path / "m.db"
    cmd = [sys.executable, "-m", "mamori.cli.main", "events", "replay", str(trail), "--db", str(db), "-o", "json",
           "--config", str(tmp_path / "none.yaml")]  # fmt: skip
    (tmp_path / "none.yaml").write_text("events: {}\n")
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert [d["detection"] for d in json.loads(out.stdout)["detections"]] == ["cloudtrail_stop_logging"]
    assert not Path(f"{db}-wal").exists(), "the connection was closed: no write-ahead log left behind"
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT detection_id FROM event_detections").fetchall() == [("cloudtrail_stop_logging",)]


@pytest.mark.parametrize("code", [0, 2])
def test_run_freezes_the_survivors_whatever_the_exit(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    def main() -> None:
        sys.exit(code)

    monkeypatch.setattr(main_cli, "main", main)
    monkeypatch.setattr(lazy, "freeze_after_import", False)  # restored after the test: in-process CLI tests do not freeze
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as exc:
            main_cli.run()
        assert exc.value.code == code
        assert gc.get_freeze_count() > 0, "the interpreter's last collection will not walk them"
        assert lazy.freeze_after_import, "the program freezes each subcommand's modules once imported"
    finally:
        gc.unfreeze()


def test_the_program_freezes_a_subcommands_modules_once_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.unfreeze()
    try:
        monkeypatch.setattr(lazy, "freeze_after_import", False)
        lazy.Lazy("mamori.cli.audit:audit_cmd", "").load()
        assert gc.get_freeze_count() == 0, "tests calling the CLI in process freeze nothing"
        monkeypatch.setattr(lazy, "freeze_after_import", True)
        lazy.Lazy("mamori.cli.audit:audit_cmd", "").load()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
