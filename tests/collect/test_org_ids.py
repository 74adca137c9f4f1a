"""The --accounts / --exclude-accounts / --ou parsers: any input is valid ids or a ScopeError."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mamori.collect.aws.org import ACCOUNT_ID, OU_ID, account_of, parse_account_ids, parse_ou_ids
from mamori.collect.aws.session import AwsTarget
from mamori.errors import ScopeError


@given(st.lists(st.text(max_size=40), max_size=5))
@example(["\U0010ffff" * 40])  # escapes made the message longer than the value (found by hypothesis)
def test_account_ids_are_valid_or_refused(values: list[str]) -> None:
    try:
        out = parse_account_ids(values)
    except ScopeError as exc:
        assert "12-digit" in str(exc) and len(str(exc)) < 200
        return
    assert all(ACCOUNT_ID.match(a) for a in out) and len(out) == len(set(out))


@given(st.lists(st.text(max_size=80), max_size=5))
@example(["\x00" * 80])
def test_ou_ids_are_valid_or_refused(values: list[str]) -> None:
    try:
        out = parse_ou_ids(values)
    except ScopeError as exc:
        assert "organizational unit" in str(exc) and len(str(exc)) < 200
        return
    assert all(OU_ID.match(o) for o in out)


def test_examples() -> None:
    assert parse_account_ids(["111122223333, 444455556666", "111122223333"]) == ("111122223333", "444455556666")
    assert parse_ou_ids(["ou-ab12-cdef3456", "r-ab12"]) == ("ou-ab12-cdef3456", "r-ab12")
    with pytest.raises(ScopeError):
        parse_account_ids(["1111222233334"])
    assert account_of(AwsTarget(role_arn="arn:aws:iam::444455556666:role/x"), "111122223333") == "444455556666"
    assert account_of(AwsTarget(), "111122223333") == "111122223333"
