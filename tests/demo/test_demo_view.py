"""The demo's finding lines: 80 columns first, wider terminals show more."""

from __future__ import annotations

from datetime import UTC, datetime

from mamori.cli.demo_view import finding_lines
from mamori.model import Finding, FindingStatus, Severity


def _finding(rule: str, resource: str, sev: Severity = Severity.HIGH) -> Finding:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    return Finding(
        id="0123456789abcdef", rule_id=rule, title="t", severity=sev, status=FindingStatus.NEW,
        resource_type="aws.s3.bucket", resource_id=resource, resource_arn="", account="123456789012",
        region="us-east-1", evidence={}, first_seen=now, last_seen=now,
    )  # fmt: skip


def test_each_finding_is_one_line_with_its_full_rule_id_at_80_columns() -> None:
    fs = [
        _finding("iam_user_access_key_with_console_password_never_used", "a-very-long-user-name-" * 3),
        _finding("s3_bucket_public_via_acl", "acme-site", Severity.CRITICAL),
    ]
    lines = [t.plain for t in finding_lines(fs, 80)]
    assert len(lines) == 3 and all(len(x) <= 80 for x in lines)
    assert "iam_user_access_key_with_console_password_never_used" in lines[1] and lines[1].endswith("…")
    assert " crit " in lines[2] and lines[2].rstrip().endswith("acme-site")
    assert "123456789012" not in "".join(lines)


def test_wide_terminals_add_the_account_and_region() -> None:
    lines = [t.plain for t in finding_lines([_finding("s3_bucket_public_via_acl", "acme")], 200)]
    assert "(account/region)" in lines[0] and "(123456789012/us-east-1)" in lines[1]
    assert " high " in lines[1] and "severity" in lines[0]


def test_the_day_two_security_group_is_named_in_full_at_80_columns() -> None:
    fs = [_finding("ec2_security_group_admin_port_open_ipv4", "sg-2e77ca24de56da2cd"),
          _finding("ec2_security_group_high_risk_port_open", "sg-2e77ca24de56da2cd")]  # fmt: skip
    assert all(t.plain.rstrip().endswith("sg-2e77ca24de56da2cd") for t in finding_lines(fs, 80)[1:])
