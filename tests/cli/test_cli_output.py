"""Output people can read at 80 columns (what a pipe or CI log gets) and wide, through the real main()."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mamori.collect.snapshot import FORMAT

LONG = "test_volume_unencrypted_with_a_rather_long_rule_name_x"  # 54 characters: longer than any built-in rule id
RULE = f"""
id: {LONG}
title: Volumes are encrypted
severity: critical
resource_type: aws.ec2.volume
rationale: Unencrypted volumes expose data to anyone with a snapshot.
remediation: >
  Copy to an encrypted snapshot and restore:
  `aws ec2 copy-snapshot --source-region us-east-1 --source-snapshot-id snap-0123456789abcdef0
  --encrypted --kms-key-id alias/ebs-default --description "encrypted copy of the unencrypted volume"`.
controls: {{baseline: ["4.1"], fsbp: [EC2.3]}}
fail_when: {{path: encrypted, eq: false}}
"""
HTML_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server.</p>\n"
)
N = 20  # more findings than hex digits: two ids surely share a first character


def snapshot(path: Path, n: int = N) -> Path:
    doc = {
        "format": FORMAT,
        "collected_at": "2026-11-01T09:00:00+00:00",
        "source": "test",
        "coverage": [["111122223333", "us-east-1", "aws.ec2.volume"]],
        "errors": [
            {"account": "111122223333", "region": "us-east-1", "service": "securityhub", "operation": "GetEnabledStandards",
             "code": "404", "message": HTML_404, "resource_types": ["aws.securityhub.region"], "resource_id": "x"},
        ],
        "resources": [
            {"provider": "aws", "account": "111122223333", "region": "us-east-1", "type": "aws.ec2.volume",
             "id": f"arn:aws:ec2:us-east-1:111122223333:volume/vol-{i:04d}-0123456789abcdef", "properties": {"encrypted": False}}
            for i in range(n)
        ],
    }  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def scanned(mamori: Callable[..., Any], tmp_path: Path) -> Path:
    (tmp_path / "my-rules").mkdir()
    (tmp_path / "my-rules" / f"{LONG}.yaml").write_text(RULE)
    (tmp_path / "mamori.yaml").write_text("rule_paths: [my-rules]\n")
    r = mamori("scan", "--snapshot", str(snapshot(tmp_path / "snap.json")), "--rules", LONG, "-q")
    assert r.code == 0, r.err
    return tmp_path


def at(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))


def test_findings_list_is_one_line_per_finding_at_80_columns(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 80)
    r = mamori("findings", "list")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == N + 2  # a title, a header, one line per finding
    assert all(len(x) <= 80 for x in lines), max(lines, key=len)
    assert lines[1].split() == ["severity", "id", "rule", "resource"]
    rows = [x.split() for x in lines[2:]]
    assert {row[0] for row in rows} == {"critical"}  # never "cr…"
    assert all(row[3].startswith("…") and row[3].endswith("-0123456789abcdef") for row in rows)  # the end of the ARN stays
    for row in rows[:3]:  # the id shown is one `findings show` accepts
        shown = mamori("findings", "show", row[1])
        assert shown.code == 0 and "how to fix" in shown.out, shown.err


def test_findings_list_shows_more_on_a_wide_terminal(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 200)
    lines = mamori("findings", "list").out.splitlines()
    assert len(lines) == N + 2 and all(len(x) <= 200 for x in lines)
    assert lines[1].split() == ["severity", "id", "rule", "resource", "status", "account/region", "owner", "due"]
    assert LONG in lines[2] and "arn:aws:ec2:us-east-1:111122223333:volume/vol-" in lines[2]
    assert "111122223333/us-east-1" in lines[2] and " NEW " in lines[2]


def test_json_and_csv_stay_complete_and_json_has_controls_and_remediation(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 80)
    doc = json.loads(mamori("findings", "list", "-o", "json").out)
    assert len(doc) == N
    f = doc[0]
    assert len(f["id"]) > 10 and f["rule_id"] == LONG and f["resource"]["id"].startswith("arn:aws:ec2")
    assert f["controls"] == {"baseline": ["4.1"], "fsbp": ["EC2.3"]}
    assert f["remediation"].startswith("Copy to an encrypted snapshot")
    rows = mamori("findings", "list", "-o", "csv").out.splitlines()
    assert len(rows) == N + 1 and all(LONG in x for x in rows[1:])


def test_an_ambiguous_prefix_is_refused_with_its_candidates(mamori: Callable[..., Any], scanned: Path) -> None:
    ids = [f["id"] for f in json.loads(mamori("findings", "list", "-o", "json").out)]
    first = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    r = mamori("findings", "show", first)
    assert r.code == 2 and "ambiguous" in r.err and "Traceback" not in r.err
    assert sum(i in r.err for i in ids if i.startswith(first)) >= 2  # the candidates, in full
    scans = mamori("scans", "show", "")
    assert scans.code in (0, 2)  # one scan: the empty prefix is that scan


def test_scans_list_and_show_are_readable(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 80)
    mamori("scan", "--snapshot", str(scanned / "snap.json"), "--rules", LONG, "-q")
    lines = mamori("scans", "list").out.splitlines()
    assert all(len(x) <= 80 for x in lines) and "…" not in "".join(lines)
    sid = lines[2].split()[0]
    assert len(sid) >= 8
    r = mamori("scans", "show", sid)
    assert r.code == 0, r.err
    assert "results: 20 fail" in r.out and "{'" not in r.out
    [err] = [x for x in r.out.splitlines() if "error:" in x]
    assert "404 Not Found" in err and "<" not in err and "The requested URL was not found" in err


def test_standards_show_is_one_line_per_control(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 80)
    short = mamori("standards", "show", "baseline").out.splitlines()
    assert len(short) < 60 and all(len(x) <= 80 for x in short)
    assert any(x.startswith("4.1 ") and "failing" in x for x in short)
    details = mamori("standards", "show", "baseline", "--details").out.splitlines()
    assert len(details) > 3 * len(short)
    doc = json.loads(mamori("standards", "show", "baseline", "-o", "json").out)
    assert len(doc["controls"]) == 26 and all("rules" in c for c in doc["controls"])
    at(monkeypatch, 200)
    wide = mamori("standards", "show", "baseline").out
    assert "results p/f/u" in wide and "coverage" in wide


def test_fix_commands_are_printed_whole_on_their_own_line(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 80)
    for args in (("rules", "show", LONG), ("findings", "show", json.loads(mamori("findings", "list", "-o", "json").out)[0]["id"])):
        out = mamori(*args).out
        cmd = ('aws ec2 copy-snapshot --source-region us-east-1 --source-snapshot-id snap-0123456789abcdef0 --encrypted '
               '--kms-key-id alias/ebs-default --description "encrypted copy of the unencrypted volume"')  # fmt: skip
        assert f"  {cmd}" in out.splitlines(), out


def test_rules_list_and_standards_list_fit_80_columns(mamori: Callable[..., Any], scanned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, 80)
    rules = mamori("rules", "list").out.splitlines()
    n = len(json.loads(mamori("rules", "list", "-o", "json").out))
    assert len(rules) == n + 2 and all(len(x) <= 80 for x in rules)
    assert any(x.startswith(f"{LONG}  critical") for x in rules)  # a rule id in full, severity in full
    standards = mamori("standards", "list").out
    assert "cis-aws-3.0 " in standards and "…" not in standards
