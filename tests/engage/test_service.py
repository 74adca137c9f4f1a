"""Answers -> tasks in the store (SQLite and PostgreSQL): deterministic ids, nothing deleted, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mamori.audit.log import entries
from mamori.engage.content import builtin_content
from mamori.engage.evaluate import engagement_id, task_id
from mamori.engage.service import (
    AnswerRequest,
    TaskFilter,
    TaskStatus,
    answer,
    attest_task,
    get_task,
    list_tasks,
)
from mamori.engage.tables import tasks
from mamori.errors import InputError
from mamori.findings import Store
from tests.engage.conftest import DAY1, answers


def test_answer_creates_tasks_with_stable_ids_and_due_dates(store: Store) -> None:
    c = builtin_content()
    eng = answer(store.engine, c, AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1)
    assert eng.id == engagement_id("shop")
    by_template = {t.template: t for t in eng.tasks}
    t = by_template["rds-not-public"]
    assert t.id == task_id("shop", "rds-not-public") and t.status is TaskStatus.OPEN
    assert t.owner == "payments" and t.due == DAY1 + timedelta(days=7)
    assert t.controls == {"baseline": ["2.5"], "cis-aws-3.0": ["2.3.3"], "fsbp": ["RDS.2"]}
    assert t.verify == {"rules": ["rds_instance_public"], "scope": {"tag": "app"}}
    assert eng.changes["new"] == len(eng.tasks)
    # the same answers again: the same ids, nothing new, due dates kept
    again = answer(
        store.engine,
        c,
        AnswerRequest("shop", "payments", answers()),
        actor="alice",
        now=DAY1 + timedelta(days=3),
    )
    assert [x.id for x in again.tasks] == [x.id for x in eng.tasks]
    assert again.changes == {"new": 0, "reopened": 0, "not_applicable": 0, "unchanged": len(eng.tasks)}
    assert {x.template: x.due for x in again.tasks}["rds-not-public"] == DAY1 + timedelta(days=7)
    # another app gets other ids for the same templates
    other = answer(store.engine, c, AnswerRequest("blog", "web", answers()), actor="bob", now=DAY1)
    assert {x.id for x in other.tasks}.isdisjoint({x.id for x in eng.tasks})


def test_changed_answers_make_tasks_not_applicable_and_back_nothing_deleted(store: Store) -> None:
    c = builtin_content()
    first = answer(store.engine, c, AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1)
    n = len(first.tasks)
    changed = answer(store.engine, c, AnswerRequest("shop", "payments", answers(data_stores=["nosql"], backups="automated")),
                     actor="alice", now=DAY1 + timedelta(days=1))  # fmt: skip
    status = {t.template: t.status for t in changed.tasks}
    assert status["rds-not-public"] is TaskStatus.NOT_APPLICABLE
    assert status["dynamodb-recovery"] is TaskStatus.OPEN
    assert changed.changes["not_applicable"] >= 5 and changed.changes["new"] >= 1
    with store.engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(tasks)).scalar_one() == n + changed.changes["new"]
        )
    back = answer(
        store.engine,
        c,
        AnswerRequest("shop", "payments", answers()),
        actor="alice",
        now=DAY1 + timedelta(days=2),
    )
    rds = next(t for t in back.tasks if t.template == "rds-not-public")
    assert rds.status is TaskStatus.OPEN and rds.times_reopened == 1
    assert back.changes["reopened"] == changed.changes["not_applicable"]
    _, hist = get_task(store.engine, rds.id)
    assert [h["to_status"] for h in hist] == ["open", "not_applicable", "open"]
    assert [e.action for e in entries(store.engine)].count("engage.answer") == 3


def test_list_filters_and_attestation_with_expiry(store: Store) -> None:
    c = builtin_content()
    answer(store.engine, c, AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1)
    answer(
        store.engine,
        c,
        AnswerRequest("blog", "web", answers(stores_personal_data=False)),
        actor="bob",
        now=DAY1,
    )
    assert {t.team for t in list_tasks(store.engine, TaskFilter(teams=("web",)), now=DAY1)} == {"web"}
    assert {t.app for t in list_tasks(store.engine, TaskFilter(apps=("shop",)), now=DAY1)} == {"shop"}
    contact = task_id("shop", "incident-contact")
    with pytest.raises(InputError, match="checked by rules"):
        attest_task(store.engine, task_id("shop", "rds-not-public"), by="carol", evidence="x", expires_at=DAY1 + timedelta(days=5),
                    actor="alice", now=DAY1)  # fmt: skip
    with pytest.raises(InputError, match="not in the future"):
        attest_task(store.engine, contact, by="carol", evidence="x", expires_at=DAY1, actor="alice", now=DAY1)
    t = attest_task(store.engine, contact[:8], by="carol", evidence="https://wiki/oncall", expires_at=DAY1 + timedelta(days=30),
                    actor="alice", now=DAY1)  # fmt: skip
    assert t.status_at(DAY1 + timedelta(days=29)) is TaskStatus.ATTESTED
    assert t.status_at(DAY1 + timedelta(days=30)) is TaskStatus.OPEN  # expired: open again
    attested = list_tasks(
        store.engine, TaskFilter(statuses=(TaskStatus.ATTESTED,)), now=DAY1 + timedelta(days=1)
    )
    assert [x.id for x in attested] == [contact]
    assert (
        list_tasks(store.engine, TaskFilter(statuses=(TaskStatus.ATTESTED,)), now=DAY1 + timedelta(days=31))
        == []
    )
    assert any(e.action == "engage.attest" and e.subject == contact for e in entries(store.engine))


def test_bad_names_and_unknown_ids(store: Store) -> None:
    c = builtin_content()
    with pytest.raises(InputError, match="--app"):
        answer(store.engine, c, AnswerRequest("a\nb", "t", answers()), actor="x")
    with pytest.raises(InputError, match="no task"):
        get_task(store.engine, "T-ffffffff")
    with pytest.raises(InputError, match="at least 4"):
        get_task(store.engine, "T-")
