"""The condition language: operators, tri-state logic, params, hooks and errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mamori.errors import RuleError
from mamori.model import Resource
from mamori.rules.conditions import EvalContext, compile_condition

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def res(**props: Any) -> Resource:
    return Resource("aws", "111122223333", "us-east-1", "aws.test.thing", "t-1", tags={"Owner": "sre"}, properties=props)


def run(cond: dict[str, Any], r: Resource, params: dict[str, Any] | None = None, hooks: dict[str, Any] | None = None) -> Any:
    ev: dict[str, Any] = {}
    out = compile_condition(cond, "test", set(hooks or {}))(r, EvalContext(NOW, params or {}, None, hooks), ev)
    return out, ev


@pytest.mark.parametrize(
    ("cond", "props", "expected"),
    [
        ({"path": "a", "eq": 1}, {"a": 1}, True),
        ({"path": "a", "ne": 1}, {"a": 1}, False),
        ({"path": "a", "gt": 1}, {"a": 2}, True),
        ({"path": "a", "gte": 2}, {"a": 2}, True),
        ({"path": "a", "lt": 1}, {"a": 2}, False),
        ({"path": "a", "lte": 2}, {"a": 2}, True),
        ({"path": "a", "in": [1, 2]}, {"a": 2}, True),
        ({"path": "a", "not_in": [1, 2]}, {"a": 3}, True),
        ({"path": "a", "contains": "x"}, {"a": ["x", "y"]}, True),
        ({"path": "a", "not_contains": "z"}, {"a": ["x"]}, True),
        ({"path": "a", "intersects": [22, 3389]}, {"a": [80, 22]}, True),
        ({"path": "a", "matches": "^prod-"}, {"a": "prod-db"}, True),
        ({"path": "a", "empty": True}, {"a": []}, True),
        ({"path": "a", "exists": False}, {}, True),
        ({"path": "a.b.c", "eq": True}, {"a": {"b": {"c": True}}}, True),
        ({"path": "a.b.c", "eq": True}, {"a": {"b": "not a mapping"}}, None),
        ({"path": "length(rules[?port == `22`])", "gt": 0}, {"rules": [{"port": 22}]}, True),
        ({"path": "d", "older_than_days": 90}, {"d": "2026-08-01T00:00:00+00:00"}, True),
        ({"path": "d", "older_than_days": 90}, {"d": "2026-11-01T00:00:00Z"}, False),
        ({"path": "d", "newer_than_days": 30}, {"d": "2026-11-01T00:00:00Z"}, True),
        ({"path": "d", "older_than_days": 90}, {"d": "N/A"}, None),
        ({"path": "$tags.Owner", "eq": "sre"}, {}, True),
        ({"path": "$region", "eq": "us-east-1"}, {}, True),
        ({"path": "a", "gt": 1}, {"a": "text"}, None),  # incomparable: unknown, not pass
    ],
)
def test_operators(cond: dict[str, Any], props: dict[str, Any], expected: Any) -> None:
    assert run(cond, res(**props))[0] is expected


def test_missing_is_unknown_unless_declared() -> None:
    assert run({"path": "a", "eq": 1}, res())[0] is None
    assert run({"path": "a", "eq": 1}, res(a=None))[0] is None
    assert run({"path": "a", "eq": 1, "when_missing": True}, res())[0] is True
    assert run({"path": "a", "eq": 1, "when_missing": False}, res())[0] is False


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"all": [{"path": "t", "eq": True}, {"path": "missing", "eq": 1}]}, None),
        ({"all": [{"path": "f", "eq": True}, {"path": "missing", "eq": 1}]}, False),
        ({"any": [{"path": "t", "eq": True}, {"path": "missing", "eq": 1}]}, True),
        ({"any": [{"path": "f", "eq": True}, {"path": "missing", "eq": 1}]}, None),
        ({"not": {"path": "missing", "eq": 1}}, None),
        ({"not": {"path": "t", "eq": True}}, False),
    ],
)
def test_three_valued_logic(cond: dict[str, Any], expected: Any) -> None:
    assert run(cond, res(t=True, f=False))[0] is expected


def test_params_and_evidence() -> None:
    out, ev = run({"path": "age", "gt": "$max_age"}, res(age=100), params={"max_age": 90})
    assert out is True
    assert ev == {"age": 100}


def test_hooks_return_verdict_and_evidence() -> None:
    def bad_ports(r: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]]:
        return True, {"ports": [22]}

    out, ev = run({"hook": "bad_ports"}, res(), hooks={"bad_ports": bad_ports})
    assert out is True and ev == {"ports": [22]}


@pytest.mark.parametrize(
    ("cond", "message"),
    [
        ({}, "non-empty mapping"),
        ({"path": "a"}, "exactly one operator"),
        ({"path": "a", "eq": 1, "gt": 2}, "exactly one operator"),
        ({"path": "a", "bogus": 1}, "unknown operator"),
        ({"path": "a", "matches": "("}, "invalid regex"),
        ({"path": "a[?", "eq": 1}, "invalid JMESPath"),
        ({"all": []}, "non-empty list"),
        ({"hook": "nope"}, "not defined"),
        ({"frobnicate": 1}, "unknown condition keys"),
    ],
)
def test_bad_conditions_name_the_place(cond: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message) as exc:
        compile_condition(cond, "fail_when", set())
    assert exc.value.where is not None
