"""compile_path gives what jmespath.search gives, for every value (property test), faster."""

from __future__ import annotations

from typing import Any

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.rules.jpath import compile_path

PATHS = [
    "a", "a.b", "a.b.c", "a[]", "a[].b", "a.b[].c", "a[].b[].c", "a[].b[]", "a.b[].c.d[].e", "@", "a[].[@][]",
    "a || b", "a.b || a.c || d", "a[].b || c", "(a || b).c", "a[*].b", "a[0]", "a[?b == `1`].c", "length(a)",
    "requestParameters.ipPermissions.items[].ipRanges.items[].cidrIp",
    "requestParameters.names || requestParameters.name || requestParameters.path",
]  # fmt: skip

KEYS = st.sampled_from(["a", "b", "c", "d", "e", "x"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "s", "0.0.0.0/0"]), st.just(0.0))
VALUES = st.recursive(SCALARS, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(KEYS, kids, max_size=4)), max_leaves=25)


def _outcome(read: Any, value: Any) -> Any:
    try:
        return ("value", read(value))
    except jmespath.exceptions.JMESPathError as exc:  # a function given the wrong type: raised by both
        return ("raised", type(exc))


@settings(max_examples=400, deadline=None)
@given(value=VALUES)
def test_every_path_reads_what_jmespath_reads(value: Any) -> None:
    for path in PATHS:
        assert _outcome(compile_path(path), value) == _outcome(jmespath.compile(path).search, value), path


def test_the_security_group_path_over_a_realistic_request() -> None:
    req = {"requestParameters": {"groupId": "sg-1", "ipPermissions": {"items": [
        {"ipProtocol": "tcp", "fromPort": 22, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}, {"cidrIp": "0.0.0.0/0"}]}},
        {"ipProtocol": "tcp", "fromPort": 443, "ipRanges": {}},
        {"ipProtocol": "tcp", "fromPort": 80, "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}},
    ]}}}  # fmt: skip
    path = "requestParameters.ipPermissions.items[].ipRanges.items[].cidrIp"
    assert compile_path(path)(req) == ["10.0.0.0/8", "0.0.0.0/0"] == jmespath.search(path, req)
    assert compile_path("requestParameters.ipPermissions.items[].ipv6Ranges.items[].cidrIpv6")(req) == ["::/0"]


def test_an_invalid_expression_is_refused_as_jmespath_refuses_it() -> None:
    with pytest.raises(jmespath.exceptions.JMESPathError):
        compile_path("a[")


def test_the_shapes_detections_use_are_compiled_not_searched() -> None:
    for path in [p for p in PATHS if p not in ("a[].[@][]", "a[0]", "a[?b == `1`].c", "length(a)")]:
        assert not hasattr(compile_path(path), "__self__"), path  # a bound ParsedResult.search is the fallback
    assert hasattr(compile_path("a[?b == `1`].c"), "__self__")
