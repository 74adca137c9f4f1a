"""Errors that help: bad input is exit 2 and one line naming the file and the place, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import Run


def one_line(r: Run) -> str:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.err, r.err
    return lines[0]


def test_report_into_a_missing_folder(mamori: Callable[..., Any], tmp_path: Path) -> None:
    line = one_line(mamori("report", "html", "-o", "missing/dir/r.html"))
    assert "missing/dir/r.html" in line and "does not exist" in line
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("params: {iam_access_key_older_than_90_days: {max_age_days: sixty}}\n",
         ["mamori.yaml:params.iam_access_key_older_than_90_days.max_age_days", "must be a number", "'sixty'"]),
        ("params: {iam_access_key_older_than_90_day: {max_age_days: 60}}\n",
         ["mamori.yaml:params.iam_access_key_older_than_90_day:", "did you mean 'iam_access_key_older_than_90_days'"]),
        ("params: {iam_access_key_older_than_90_days: {max_age_day: 60}}\n",
         ["params.iam_access_key_older_than_90_days.max_age_day:", "did you mean 'max_age_days'"]),
        ("disabled_rules: [ec2_instance_public_ip, s3_bucket_public_via_acls]\n",
         ["mamori.yaml:disabled_rules[1]:", "did you mean 's3_bucket_public_via_acl'"]),
    ],
)  # fmt: skip
def test_config_typos_and_wrong_types_are_refused_for_every_command(
    mamori: Callable[..., Any], tmp_path: Path, yaml: str, expected: list[str]
) -> None:
    (tmp_path / "mamori.yaml").write_text(yaml)
    for args in (("findings", "list"), ("rules", "list"), ("scans", "list")):
        line = one_line(mamori(*args))
        assert all(e in line for e in expected), line


def test_a_valid_config_is_accepted(mamori: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "mamori.yaml").write_text(
        "params: {iam_access_key_older_than_90_days: {max_age_days: 60}}\ndisabled_rules: [s3_bucket_public_via_acl]\n"
    )
    r = mamori("rules", "list", "-o", "json")
    assert r.code == 0, r.err


def test_suppress_refuses_an_unknown_rule(mamori: Callable[..., Any]) -> None:
    r = mamori("findings", "suppress", "--rule", "s3_bucket_public_via_acls", "--reason", "x", "--approver", "y", "--expires", "30d")
    line = one_line(r)
    assert "--rule" in line and "did you mean 's3_bucket_public_via_acl'" in line
    ok = mamori("findings", "suppress", "--rule", "s3_bucket_public_via_acl", "--reason", "x", "--approver", "y", "--expires", "30d")
    assert ok.code == 0, ok.err


def test_db_in_a_missing_folder_creates_nothing(mamori: Callable[..., Any], tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "m.db"
    line = one_line(mamori("findings", "list", "--db", str(typo)))
    assert str(typo.parent) in line and "does not exist" in line
    assert not typo.parent.exists()
    assert mamori("findings", "list").code == 0 and (tmp_path / ".mamori" / "mamori.db").exists()  # the default is created
    assert mamori("findings", "list", "--db", str(tmp_path / "ci" / ".mamori" / "m.db")).code == 2  # ci/ does not exist
    (tmp_path / "ci").mkdir()
    assert mamori("findings", "list", "--db", str(tmp_path / "ci" / ".mamori" / "m.db")).code == 0  # mamori's own folder


def test_unknown_region_against_an_endpoint(mamori: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    r = mamori("scan", "--endpoint-url", "http://127.0.0.1:9", "--regions", "mars-1", "--no-store")
    assert "unknown region(s): mars-1" in one_line(r)
