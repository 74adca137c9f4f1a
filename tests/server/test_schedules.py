"""Schedules inside `mamori serve`: due jobs run (fake clock), are audited, survive a restart, and call the real services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mamori import audit
from mamori.collect.snapshot import write_snapshot
from mamori.config import Config, load_config
from mamori.errors import ConfigError
from mamori.findings import FindingFilter, Store
from mamori.model import Inventory, Resource
from mamori.model.finding import FindingStatus
from mamori.server.app import create_app
from mamori.server.schedules import JobContext, JobFailed, Scheduler
from mamori.server.settings import ServerSettings

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _config(text: str, tmp_path: Path) -> Config:
    p = tmp_path / "mamori.yaml"
    p.write_text(text)
    return load_config(p)


def test_the_schedules_section_is_validated(tmp_path: Path) -> None:
    cfg = _config("schedules:\n  scan: {every: 6h, snapshot: estate.json}\n  suppressions: {every: 30m}\n", tmp_path)
    assert cfg.schedules.scan is not None and cfg.schedules.scan.interval == timedelta(hours=6)
    assert cfg.schedules.scan.snapshot == tmp_path / "estate.json"
    assert list(cfg.schedules.jobs()) == ["suppressions", "scan"]
    for bad in ("schedules: {scan: {every: 5s}}", "schedules: {scan: {every: often}}", "schedules: {backup: {every: 1d}}"):
        with pytest.raises(ConfigError):
            _config(bad + "\n", tmp_path)


def test_due_jobs_run_once_per_interval_failures_are_audited_and_a_restart_remembers(server_store: Store) -> None:
    calls: list[tuple[str, datetime]] = []

    def ok(ctx: JobContext) -> Mapping[str, Any]:
        calls.append(("scan", ctx.now))
        return {"scanned": 1}

    def broken(ctx: JobContext) -> Mapping[str, Any]:
        calls.append(("notify", ctx.now))
        raise RuntimeError("smtp down")

    def partial(ctx: JobContext) -> Mapping[str, Any]:
        raise JobFailed("1 key action failed", {"keys": 3})

    cfg = Config.model_validate({"schedules": {"scan": {"every": "1h"}, "notify": {"every": "15m"}, "keys": {"every": "1d"}}})
    clock = Clock(T0)
    jobs = {"scan": ok, "notify": broken, "keys": partial}
    sched = Scheduler(server_store, cfg, clock=clock, jobs=jobs)
    assert asyncio.run(sched.tick()) == ["scan", "notify", "keys"]  # never ran: due at once
    clock.at = T0 + timedelta(minutes=20)
    assert asyncio.run(sched.tick()) == ["notify"]
    clock.at = T0 + timedelta(minutes=30)
    assert asyncio.run(sched.tick()) == []
    clock.at = T0 + timedelta(hours=1)
    assert asyncio.run(sched.tick()) == ["scan", "notify"]
    assert [c[0] for c in calls] == ["scan", "notify", "notify", "scan", "notify"]
    got = {e.action: e for e in audit.entries(server_store.engine, action="schedule.", newest_first=False)}
    assert got["schedule.scan"].actor == "scheduler" and got["schedule.scan"].details == {"ok": True, "scanned": 1}
    assert got["schedule.notify"].details["ok"] is False and "smtp down" in got["schedule.notify"].details["error"]
    assert got["schedule.keys"].details == {"ok": False, "error": "1 key action failed", "keys": 3}
    # a restart reads the last runs from the audit log: nothing is due yet
    again = Scheduler(server_store, cfg, clock=clock, jobs=jobs)
    assert again.due(T0 + timedelta(hours=1, minutes=5)) == []
    assert again.due(T0 + timedelta(hours=1, minutes=15)) == ["notify"]


def test_the_real_jobs_scan_a_snapshot_notify_refresh_and_dry_run_the_key_policy(server_store: Store, tmp_path: Path) -> None:
    inv = Inventory([Resource("aws", "222222222222", "us-east-1", "aws.s3.bucket", "sched-bucket",
                              properties={"name": "sched-bucket"})], collected_at=T0)  # fmt: skip
    inv.cover("222222222222", "us-east-1", ["aws.s3.bucket"])
    write_snapshot(inv, tmp_path / "estate.json")
    cfg = _config(
        "schedules:\n"
        "  scan: {every: 6h, snapshot: estate.json}\n"
        "  keys: {every: 1d, snapshot: estate.json}\n"
        "  notify: {every: 15m}\n"
        "  suppressions: {every: 1h}\n"
        "notifications:\n  channels:\n    outbox: {type: memory}\n",
        tmp_path,
    )
    before = len(server_store.scans(limit=100))
    sched = Scheduler(server_store, cfg, clock=Clock(datetime.now(UTC)))
    assert asyncio.run(sched.tick()) == ["suppressions", "scan", "notify", "keys"]
    entries = {e.action: e.details for e in audit.entries(server_store.engine, action="schedule.")}
    assert all(d["ok"] for d in entries.values()), entries
    assert entries["schedule.scan"]["accounts"] == ["222222222222"] and entries["schedule.scan"]["resources"] == 1
    assert len(server_store.scans(limit=100)) == before + 1
    assert entries["schedule.notify"]["pending_findings"] > 0
    assert not server_store.findings(FindingFilter(statuses=(FindingStatus.NEW,)))  # all NOTIFIED now
    assert entries["schedule.keys"]["applied"] is False and entries["schedule.keys"]["keys"] == 0
    assert entries["schedule.suppressions"] == {"ok": True, "reopened": []}


def test_the_app_starts_the_schedules_in_its_lifespan(server_store: Store) -> None:
    cfg = Config.model_validate({"schedules": {"suppressions": {"every": "1h"}}})
    app = create_app(ServerSettings(db_url=str(server_store.engine.url), config=cfg, secret_key="k", schedule_poll_s=0.01))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 20  # bounded wait for the background task's first look
        while not audit.entries(server_store.engine, action="schedule.suppressions"):
            assert time.monotonic() < deadline, "the scheduler did not run"
            time.sleep(0.02)
        assert app.state.scheduler.intervals == {"suppressions": timedelta(hours=1)}
    assert app.state.scheduler._task is None  # stopped at shutdown
