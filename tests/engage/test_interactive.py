"""`mamori engage start` in a real pseudo-terminal (pexpect): arrow keys, space, y/n and text answer the
built-in bank in one sitting; skip logic asks only the relevant follow-ups."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import yaml

from mamori.engage.content import QuestionType, builtin_content
from mamori.engage.evaluate import check_answers
from tests.engage.conftest import FULL

DOWN, SPACE, ENTER = "\x1b[B", " ", "\r"
MAMORI = str(Path(sys.executable).with_name("mamori"))


def _spawn(tmp_path: Path, *args: str) -> Any:
    env = {
        **os.environ,
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "TERM": "xterm",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "LINES": "50",
    }
    child = pexpect.spawn(MAMORI, ["engage", "start", "--app", "shop", "--team", "payments", "--db", str(tmp_path / "m.db"), *args],
                          cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))  # fmt: skip
    child.delaybeforesend = None
    child.logfile_read = open(tmp_path / "session.log", "w")  # noqa: SIM115 - closed with the child
    return child


def _answer(child: Any, q: Any, value: Any) -> None:
    child.expect_exact(q.text[:40])
    if q.type is QuestionType.BOOL:
        child.send("y" if value else "n")
    elif q.type is QuestionType.CHOICE:
        child.send(DOWN * q.choices.index(value) + ENTER)
    elif q.type is QuestionType.MULTI:
        at = 0
        for i, c in enumerate(q.choices):
            if c in value:
                child.send(DOWN * (i - at) + SPACE)
                at = i
        child.send(ENTER)
    else:
        child.send(value + ENTER)


def test_a_team_answers_the_whole_bank_in_one_sitting(tmp_path: Path) -> None:
    content = builtin_content()
    child = _spawn(tmp_path)
    asked = 0
    try:
        for q in content.questions:  # FULL makes every follow-up relevant: every question is asked
            _answer(child, q, FULL[q.id])
            asked += 1
        child.expect_exact("saved the answers to engage-shop.yaml")
        child.expect_exact("engagement E-")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert asked >= 30 and child.exitstatus == 0
    saved = yaml.safe_load((tmp_path / "engage-shop.yaml").read_text())
    assert saved["app"] == "shop" and saved["team"] == "payments"
    assert saved["answers"] == check_answers(content, FULL).values


def test_skip_logic_asks_only_relevant_follow_ups_and_reuses_earlier_answers(tmp_path: Path) -> None:
    content = builtin_content()
    values = {**FULL, "stores_personal_data": False, "has_secrets": False, "third_parties": False}
    skipped = {"personal_data_kinds", "payment_cards", "logs_contain_personal_data", "residency_requirement",
               "secret_kinds", "secrets_storage", "secrets_rotation", "third_party_data", "third_party_inbound"}  # fmt: skip
    child = _spawn(tmp_path, "--no-record")
    seen = []
    try:
        for q in content.questions:
            if q.id in skipped:
                continue
            _answer(child, q, values[q.id])
            seen.append(q.id)
        child.expect_exact("saved the answers")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    log = (tmp_path / "session.log").read_text()
    for qid in skipped:
        assert content.question(qid).text[:40] not in log
    saved = yaml.safe_load((tmp_path / "engage-shop.yaml").read_text())["answers"]
    assert set(saved) == set(seen)
    # a second run starts from the saved answers: enter keeps a choice, the text is pre-filled
    child = _spawn(tmp_path, "--no-record")
    try:
        child.expect_exact(content.question("data_classification").text[:40])
        child.send(ENTER)
        child.expect_exact(content.question("stores_personal_data").text[:40])
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus != 0  # aborted: the file is left as it was
    assert yaml.safe_load((tmp_path / "engage-shop.yaml").read_text())["answers"] == saved
