"""The suppressions file: valid entries, and errors that name the file and the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.errors import InputError
from mamori.hub.suppfile import load_suppressions_file

GOOD = """\
version: 1
suppressions:
  - id: ci-logs-public
    rule: s3_bucket_public_via_acl
    account: 123456789012
    resource: ci-logs
    reason: Public by design - build logs of the open-source CI
    approver: alice@example.com
    expires: 2026-12-31
  - tags: {env: sandbox}
    reason: sandbox accounts are wiped nightly
    approver: bob@example.com
    expires: 2027-01-15T12:00:00Z
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "mamori-suppressions.yaml"
    p.write_text(text)
    return p


def test_valid_file(tmp_path: Path) -> None:
    a, b = load_suppressions_file(write(tmp_path, GOOD))
    assert a.id == "ci-logs-public" and a.selector.account == "123456789012" and a.selector.resource_id == "ci-logs"
    assert a.expires_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert a.origin == "file:mamori-suppressions.yaml" and a.approver == "alice@example.com"
    assert b.id.startswith("file-") and dict(b.selector.tags) == {"env": "sandbox"}
    assert b.expires_at == datetime(2027, 1, 15, 12, tzinfo=UTC)
    # ids of unnamed entries are stable across loads
    assert load_suppressions_file(write(tmp_path, GOOD))[1].id == b.id


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (GOOD.replace("expires: 2026-12-31", "expires: someday"), ":9:", "suppressions[0].expires"),
        (GOOD.replace("    approver: bob@example.com\n", ""), ":10:", "suppressions[1].approver"),
        (GOOD.replace("    rule: s3_bucket_public_via_acl\n", "    rule: x\n    resorce: y\n"), ":5:", "suppressions[0].resorce"),
        (GOOD.replace("  - tags: {env: sandbox}\n", "  - reason2: x\n"), ":10:", "suppressions[1]"),
        (GOOD + "  - id: ci-logs-public\n    rule: r\n    reason: again\n    approver: a\n    expires: 2027-01-01\n", ":14:", "duplicate"),
        ("suppressions: [\n", ":2:", "invalid YAML"),
    ],
)
def test_errors_name_file_and_place(tmp_path: Path, text: str, where: str, message: str) -> None:
    with pytest.raises(InputError) as exc:
        load_suppressions_file(write(tmp_path, text))
    msg = str(exc.value)
    assert msg.startswith(str(tmp_path / "mamori-suppressions.yaml")), msg
    assert where in msg and message in msg, msg


def test_entry_without_selector_is_refused(tmp_path: Path) -> None:
    text = "suppressions:\n  - reason: because\n    approver: a\n    expires: 2027-01-01\n"
    with pytest.raises(InputError, match="at least one selector"):
        load_suppressions_file(write(tmp_path, text))
