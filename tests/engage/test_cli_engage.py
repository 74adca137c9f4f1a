"""`mamori engage ...` through the real entry point: the JSON shapes of the issue, filters, errors as exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson

from mamori.engage.evaluate import task_id
from tests.clirun import Run
from tests.engage.conftest import answers, write_answers


def test_questions_json_shape(mamori: Callable[..., Run]) -> None:
    r = mamori("engage", "questions", "-o", "json")
    assert r.code == 0, r.err
    qs = orjson.loads(r.out)["questions"]
    assert len(qs) >= 30
    assert all({"id", "text", "help", "type", "choices"} <= set(q) for q in qs)
    assert {q["type"] for q in qs} == {"bool", "choice", "multi", "text"}
    exposure = next(q for q in qs if q["id"] == "internet_exposure")
    assert exposure["choices"] == ["none", "private", "partners", "public"]  # least -> most exposed
    table = mamori("engage", "questions")
    assert table.code == 0 and "internet_exposure" in table.out


def test_answer_tasks_show_attest(mamori: Callable[..., Run], tmp_path: Path) -> None:
    write_answers(tmp_path / "a.yaml", answers())
    r = mamori("engage", "answer", "--app", "shop", "--team", "payments", "--answers", "a.yaml", "-o", "json")
    assert r.code == 0, r.err
    doc = orjson.loads(r.out)
    assert doc["engagement"].startswith("E-")
    t = next(x for x in doc["tasks"] if x["id"] == task_id("shop", "rds-not-public"))
    assert {"id", "title", "why", "how", "controls", "owner", "due", "status", "verify"} <= set(t)
    assert t["controls"] == {"baseline": ["2.5"], "cis-aws-3.0": ["2.3.3"], "fsbp": ["RDS.2"]}
    assert (
        t["owner"] == "payments" and t["status"] == "open" and t["verify"]["rules"] == ["rds_instance_public"]
    )
    assert len(t["due"]) == 10
    write_answers(tmp_path / "b.yaml", answers(stores_personal_data=False), app="blog", team="web")
    r = mamori("engage", "answer", "--app", "blog", "--team", "web", "--answers", "b.yaml")
    assert r.code == 0 and "new" in r.out and "ignored answers" in r.err
    web = orjson.loads(mamori("engage", "tasks", "--team", "web", "-o", "json").out)
    assert web["tasks"] and {x["team"] for x in web["tasks"]} == {"web"}
    contact = task_id("shop", "incident-contact")
    r = mamori(
        "engage", "attest", contact, "--by", "carol", "--evidence", "https://wiki/oncall", "--expires", "90d"
    )
    assert r.code == 0, r.err
    attested = orjson.loads(mamori("engage", "tasks", "--status", "attested", "-o", "json").out)["tasks"]
    assert [x["id"] for x in attested] == [contact] and attested[0]["attestation"]["by"] == "carol"
    shown = mamori("engage", "show", contact[:9])
    assert shown.code == 0 and "attested by carol" in shown.out and "history:" in shown.out
    js = orjson.loads(mamori("engage", "show", contact, "-o", "json").out)
    assert [h["to_status"] for h in js["history"]] == ["open", "attested"]
    table = mamori("engage", "tasks", "--app", "shop", "--status", "open")
    assert table.code == 0 and "open" in table.out and "attested" not in table.out.splitlines()[2]
    csv = mamori("engage", "tasks", "-o", "csv")
    assert csv.out.startswith("id,app,team,template,status")
    assert mamori("audit", "list", "-o", "json").out.count("engage.") >= 3


def test_bad_input_is_exit_2_with_the_place(mamori: Callable[..., Run], tmp_path: Path) -> None:
    write_answers(tmp_path / "a.yaml", answers(data_classification="top-secret"))
    r = mamori("engage", "answer", "--app", "shop", "--team", "payments", "--answers", "a.yaml")
    assert r.code == 2 and "a.yaml:answers.data_classification: expected one of" in r.err
    (tmp_path / "bomb.yaml").write_text("a: &a [*a, *a]\n")
    r = mamori("engage", "answer", "--app", "shop", "--team", "payments", "--answers", "bomb.yaml")
    assert r.code == 2 and "Traceback" not in r.err
    write_answers(tmp_path / "c.yaml", answers(), app="other")
    r = mamori("engage", "answer", "--app", "shop", "--team", "payments", "--answers", "c.yaml")
    assert r.code == 2 and "answers for app 'other'" in r.err
    assert mamori("engage", "show", "T-0000000000").code == 2
    r = mamori("engage", "answer", "--app", "shop", "--team", "p", "--answers", "missing.yaml")
    assert r.code == 2 and "cannot read" in r.err
    (tmp_path / "mine.yaml").write_text(
        "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {baseline: ['7.1']}}\n"
    )
    r = mamori("engage", "questions", "--content", "mine.yaml")
    assert r.code == 2 and "baseline has no control '7.1'" in r.err


def test_mamori_attest_task_closes_an_engagement_task(mamori: Callable[..., Run], tmp_path: Path) -> None:
    write_answers(tmp_path / "a.yaml", answers())
    assert mamori("engage", "answer", "--app", "shop", "--team", "payments", "--answers", "a.yaml").code == 0
    tid = task_id("shop", "threat-model")
    r = mamori(
        "attest",
        "task",
        tid,
        "--by",
        "dana",
        "--evidence",
        "https://wiki/shop/threat-model",
        "--expires",
        "2099-01-31",
    )
    assert r.code == 0, r.err
    t = orjson.loads(mamori("engage", "show", tid, "-o", "json").out)
    assert t["status"] == "attested" and t["attestation"]["by"] == "dana"
    r = mamori(
        "attest",
        "task",
        task_id("shop", "rds-not-public"),
        "--by",
        "dana",
        "--evidence",
        "x",
        "--expires",
        "30d",
    )
    assert r.code == 2 and "checked by rules" in r.err


def test_start_without_a_terminal_points_to_answer(mamori: Callable[..., Run]) -> None:
    r = mamori("engage", "start", "--app", "shop", "--team", "payments")
    assert r.code == 2 and "mamori engage answer" in r.err
