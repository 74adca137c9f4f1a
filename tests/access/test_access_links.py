"""One-click approval tokens: bound to a request and an approver, signed, expiring; never a crash on junk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.access.links import approve_url, make_token, read_token
from mamori.errors import InputError


def test_a_token_names_its_request_and_approver_and_only_its_key_reads_it() -> None:
    tok = make_token("k1", "AR-1234567890", "bob")
    claim = read_token("k1", tok)
    assert (claim.request_id, claim.approver) == ("AR-1234567890", "bob")
    with pytest.raises(InputError, match="not valid"):
        read_token("k2", tok)
    with pytest.raises(InputError, match="expired"):
        read_token("k1", tok, max_age_s=-1)
    assert approve_url("https://m.example/", "k1", "AR-1", "bob").startswith("https://m.example/access/approve/")


@given(st.text(max_size=1200))
def test_arbitrary_tokens_are_refused_cleanly(token: str) -> None:
    with pytest.raises(InputError):
        read_token("k1", token)
