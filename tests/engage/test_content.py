"""The built-in content loads, is big enough, and every reference in it exists; bad content is refused with a place."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.catalog import standards
from mamori.engage.content import Question, QuestionType, builtin_content, load_content
from mamori.engage.evaluate import applicable, check_answers, read_answers
from mamori.engage.expr import compile_condition
from mamori.errors import InputError
from mamori.rules import RuleSet
from tests.engage.conftest import FULL, answers


def test_builtin_bank_and_templates(builtin_rules: RuleSet) -> None:
    c = load_content(rule_ids=[r.id for r in builtin_rules])  # every verify / contradiction rule exists
    assert len(c.questions) >= 30
    assert len(c.tasks) >= 60
    assert {q.type for q in c.questions} == set(QuestionType)
    topics = {q.topic for q in c.questions}
    assert {"data", "exposure", "users", "services", "secrets", "third_parties", "build", "logging", "location", "backups",
            "incidents"} <= topics  # fmt: skip
    assert any(q.ask_if for q in c.questions)
    assert sum(1 for t in c.tasks if t.verify) >= 30
    cat = standards()
    for t in c.tasks:
        for std, ids in t.controls.items():
            assert set(ids) <= set(cat[std].controls()), t.id
        if t.verify:  # the rules that verify a task check (some of) the controls it maps to
            rule_controls = {
                x for r in t.verify.rules for x in builtin_rules.get(r).spec.controls.get("baseline", [])
            }
            assert rule_controls & set(t.controls["baseline"]), t.id
    assert set(FULL) == {q.id for q in c.questions}  # the test answers cover the whole bank


def test_skip_logic_and_applicability() -> None:
    c = builtin_content()
    full = check_answers(c, FULL)
    assert full.ignored == ()
    # no personal data: its follow-ups are not asked, answers given to them are dropped
    less = check_answers(c, answers(stores_personal_data=False))
    assert less.values["personal_data_kinds"] is None and less.values["payment_cards"] is None
    assert set(less.ignored) == {
        "personal_data_kinds",
        "payment_cards",
        "logs_contain_personal_data",
        "residency_requirement",
    }
    ids = {t.id for t in applicable(c, full.values)}
    assert "rds-not-public" in ids and "personal-data-inventory" in ids and "secrets-manager" not in ids
    ids2 = {t.id for t in applicable(c, check_answers(c, answers(secrets_storage="repository")).values)}
    assert "secrets-manager" in ids2
    # a minimal internal batch job gets far fewer tasks, and the ones every app needs
    tiny = check_answers(c, {
        "data_classification": "public", "stores_personal_data": False, "data_stores": ["none"], "file_uploads": False,
        "internet_exposure": "none", "admin_interface": "none", "availability": "low", "user_auth": "none",
        "human_prod_access": "none", "service_auth": "iam_roles", "runs_on": ["lambda"], "cross_account": False,
        "has_secrets": False, "third_parties": False, "languages": [], "build_pipeline": "reviewed_ci",
        "container_images": False, "infrastructure_as_code": "full", "log_destination": "central",
        "security_events_logged": True, "regions": "one_region", "incident_contact": "ops", "on_call": False,
    })  # fmt: skip
    tiny_ids = {t.id for t in applicable(c, tiny.values)}
    assert {"incident-contact", "tag-resources", "dependency-scanning"} <= tiny_ids
    assert len(tiny_ids) < len(ids) // 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nope": 1}, "no such question 'nope'"),
        ({**FULL, "data_classification": "secret"}, "expected one of public, internal"),
        ({**FULL, "stores_personal_data": "yes"}, "expected true or false"),
        ({**FULL, "runs_on": ["lambda", "mainframe"]}, "'mainframe' is not one of"),
        ({k: v for k, v in FULL.items() if k != "on_call"}, "question 'on_call' is not answered"),
    ],
)
def test_bad_answers_name_the_question(values: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        check_answers(builtin_content(), values, "a.yaml")
    assert err.value.source == "a.yaml" and err.value.where and err.value.where.startswith("answers.")


def _content_file(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "mine.yaml"
    p.write_text(text)
    return p


Q = """version: 1
questions:
  - {id: q1, text: Is it on?, help: Just say., type: bool}
"""


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        (Q + "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {baseline: ['9.9']}}\n",
         "baseline has no control '9.9'", "task t1.controls.baseline"),
        (Q + "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {fsbp: [S3.1]}}\n",
         "at least one Cloud Security Baseline item", "tasks.0.controls"),
        (Q + "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {baseline: ['1.1'], fsbp: [S3.99]}}\n",
         "fsbp has no control 'S3.99'", "task t1.controls.fsbp"),
        (Q + "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {baseline: ['1.1']}, when: \"q2 == `true`\"}\n",
         "reads 'q2', which no question asks", "task t1.when"),
        (Q + "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {baseline: ['1.1']}, when: \"q1 ==\"}\n",
         "invalid condition", "tasks.0"),
        (Q + "tasks:\n  - {id: t1, title: Do it, why: because, how: like so, controls: {baseline: ['1.1']},"
             " verify: {rules: [no_such_rule]}}\n", "no rule 'no_such_rule'", "task t1.verify.rules"),
        (Q + "  - {id: q0, text: Before?, help: Just say., type: bool, ask_if: q3}\n  - {id: q3, text: Later?, help: x y, type: bool}\n",
         "which is asked later", "question q0.ask_if"),
        (Q + "  - {id: q2, text: Pick one, help: Just say., type: choice, choices: [a]}\n", "at least 2 choices", "questions.1"),
        (Q + "  - {id: q1, text: Again?, help: Just say., type: bool}\n", "question 'q1' is defined twice", "questions.1.id"),
        (Q + "  - {id: q2, text: Other?, help: Just say., type: bool, colour: red}\n", "Extra inputs are not permitted", "questions.1.colour"),
        ("questions: [1, &a [*a]]\n", "recursive structure", None),
    ],
)  # fmt: skip
def test_bad_content_is_refused_with_its_place(
    tmp_path: Path, builtin_rules: RuleSet, text: str, message: str, where: str | None
) -> None:
    path = _content_file(tmp_path, text)
    with pytest.raises(InputError, match=message) as err:
        load_content([path], rule_ids=[r.id for r in builtin_rules], builtin=False)
    assert err.value.source == str(path)
    if where:
        assert err.value.where is not None and err.value.where.startswith(where)


def test_a_team_can_add_its_own_questions_and_tasks(tmp_path: Path) -> None:
    path = _content_file(
        tmp_path,
        """version: 1
questions:
  - {id: uses_llm, text: Does it call a large language model?, help: "OpenAI, Bedrock, self-hosted.", type: bool}
tasks:
  - id: llm-prompt-injection
    title: Treat model output as untrusted input
    why: Prompt injection makes the model say what an attacker wants.
    how: Never execute or render model output without validation; keep tools behind allow-lists.
    when: uses_llm && internet_exposure == 'public'
    controls: {baseline: ["5.2"]}
""",
    )
    c = load_content([path])
    assert c.questions[-1].id == "uses_llm"
    vals = check_answers(c, {**FULL, "uses_llm": True}).values
    assert "llm-prompt-injection" in {t.id for t in applicable(c, vals)}


@given(st.binary(max_size=400))
def test_answers_reader_returns_a_mapping_or_input_error(data: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".yaml") as f:
        f.write(data)
        f.flush()
        try:
            values, header = read_answers(Path(f.name))
        except InputError:
            return
        assert isinstance(values, dict) and isinstance(header, dict)
        with contextlib.suppress(InputError):
            check_answers(builtin_content(), values, f.name)


@given(st.text(max_size=80))
def test_conditions_compile_or_raise_value_error_and_never_run_code(text: str) -> None:
    try:
        cond = compile_condition(text)
    except ValueError:
        return
    assert cond.holds(FULL) in (True, False)
    assert cond.holds({}) in (True, False)


def test_memoised_conditions_agree_with_plain_jmespath() -> None:
    import random

    import jmespath

    from mamori.engage.expr import freeze, truthy

    c = builtin_content()
    rnd = random.Random(7)

    def pick(q: Question) -> object:
        if q.type is QuestionType.BOOL:
            return rnd.random() < 0.5
        if q.type is QuestionType.CHOICE:
            return rnd.choice(q.choices)
        if q.type is QuestionType.MULTI:
            return [x for x in q.choices if rnd.random() < 0.35]
        return "x"

    for _ in range(150):
        values = check_answers(c, {q.id: pick(q) for q in c.questions}).values
        frozen = freeze(values)
        for text, cond in c.conditions.items():
            try:
                plain = truthy(jmespath.search(text, values))
            except jmespath.exceptions.JMESPathError:
                plain = False
            assert cond.holds(values, frozen) is plain and cond.holds(values) is plain, text


def test_the_format_example_of_the_docs_loads(tmp_path: Path) -> None:
    text = Path(__file__).parents[2].joinpath("docs", "engage.md").read_text()
    example = (
        text.split("## Writing your own questions and tasks", 1)[1]
        .split("```yaml\n", 1)[1]
        .split("```", 1)[0]
    )
    c = load_content([_content_file(tmp_path, example)])
    assert {"uses_llm", "llm_data"} <= {q.id for q in c.questions}
    assert {"llm-output-untrusted", "llm-bucket-encrypted"} <= {t.id for t in c.tasks}
    bad = example.replace("aws.secretsmanager.secret", "aws.ec2.vpc_endpoint")
    with pytest.raises(InputError, match=r"no resource type 'aws\.ec2\.vpc_endpoint'"):
        load_content([_content_file(tmp_path, bad)])
