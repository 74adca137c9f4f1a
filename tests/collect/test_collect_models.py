"""Collectors hand typed models to ``ctx.resource``; a Resource's properties are the model's."""

from __future__ import annotations

from typing import Any

import pytest

from mamori.collect.aws.base import MISSING, CollectContext
from mamori.model.resources import Props
from mamori.model.resources.sqs import QUEUE, SqsQueue


class _Target:
    home_region = "us-east-1"


class _Factory:
    target = _Target()


def ctx() -> CollectContext:
    return CollectContext(_Factory(), "111122223333")  # type: ignore[arg-type]


def test_the_resource_takes_type_and_properties_from_the_model() -> None:
    r = ctx().resource(SqsQueue.of({"url": "https://q", "encrypted": MISSING}), "eu-west-1", "q1", arn="arn:q")
    assert r.type == QUEUE and r.id == "q1" and r.name == "q1" and r.arn == "arn:q"
    assert dict(r.properties) == {"url": "https://q", "encrypted": None}


def test_an_unregistered_model_is_refused() -> None:
    class Loose(Props):
        x: int | None = None

    with pytest.raises(TypeError, match="not registered"):
        ctx().resource(Loose(x=1), "eu-west-1", "l1")


@pytest.mark.parametrize("bad", [{"encrypted": "false"}, {"encrpyted": True}])
def test_a_collector_emitting_a_wrong_value_or_name_fails_at_the_model(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="encr"):
        SqsQueue.of(bad)
