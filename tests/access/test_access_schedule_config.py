"""`mamori access expire` as a server schedule job, and the access section of mamori.yaml."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mamori import audit
from mamori.access import service
from mamori.access.model import RequestStatus
from mamori.access.service import NewRequest
from mamori.config import Config, load_config
from mamori.config.access import parse_duration
from mamori.errors import ConfigError
from mamori.findings import Store
from mamori.server.schedules import Scheduler
from tests.access.conftest import ACCOUNT, T0, IdentityCenter
from tests.server.test_schedules import Clock, tick


def test_the_scheduler_expires_grants(sqlite_store: Store, ic: IdentityCenter) -> None:
    cfg = Config.model_validate({"access": {"approvers": ["bob"]}, "schedules": {"access_expire": {"every": "1m"}}})
    req = service.request_access(sqlite_store.engine, cfg.access, NewRequest("alice", (ACCOUNT,), "Operator", "30m", "x", ticket="T"), now=T0)
    service.approve(sqlite_store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    clock = Clock(T0 + timedelta(minutes=10))
    sched = Scheduler(sqlite_store, cfg, clock=clock)
    assert tick(sched) == ["access_expire"] and ic.assigned("alice", "Operator")
    clock.at = T0 + timedelta(minutes=31)
    assert tick(sched) == ["access_expire"]
    assert not ic.assigned("alice", "Operator")
    assert service.get(sqlite_store.engine, req.id).status is RequestStatus.EXPIRED
    last = audit.entries(sqlite_store.engine, action="schedule.access_expire")[-1]
    assert last.details == {"ok": True, "expired": [req.id]}
    assert audit.entries(sqlite_store.engine, action="access.expire")[-1].actor == "scheduler"


@pytest.mark.parametrize(
    ("text", "where", "msg"),
    [
        ("access: {max_duration: 5 hours}\n", "access.max_duration", "not a duration"),
        ("access: {approvals_required: 0}\n", "access.approvals_required", "greater than or equal to 1"),
        ("access: {mode: ssh}\n", "access.mode", "identity_center"),
        ("access: {account_groups: {prod: {approvals_required: 2}}}\n", "", "not under the top-level account_groups"),
        ("access: {permission_sets: {Admin: {max_duration: 9d}}}\n", "access.permission_sets.Admin.max_duration", "between"),
        ("access: {approverz: [a]}\n", "access.approverz", "Extra inputs"),
    ],
)
def test_bad_access_config_names_the_place(tmp_path: Path, text: str, where: str, msg: str) -> None:
    p = tmp_path / "mamori.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    assert msg in str(exc.value) and str(p) in str(exc.value)
    if where:
        assert where in str(exc.value)


def test_a_good_access_config_loads(tmp_path: Path) -> None:
    p = tmp_path / "mamori.yaml"
    p.write_text("account_groups: {prod: ['111111111111']}\naccess:\n  approvers: [bob]\n  account_groups: {prod: {approvals_required: 2}}\n")
    cfg = load_config(p)
    assert cfg.access.policy_for("Operator", ["111111111111"], cfg.account_groups).approvals_required == 2
    assert parse_duration("90m") == timedelta(minutes=90)
