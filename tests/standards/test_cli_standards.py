"""The CLI: a custom rule counted in scores, standards list/show/drift, attest, rules test."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mamori.collect.snapshot import write_snapshot

from .conftest import RULES, estate, write_rules

CASES = """
rule: t_bucket_public
cases:
  - name: public
    expect: FAIL
    resource: {properties: {policy_public: true}}
  - name: private
    expect: PASS
    resource: {properties: {policy_public: false}}
  - name: not collected
    expect: UNKNOWN
    resource: {properties: {}}
  - name: wrong on purpose
    expect: PASS
    resource: {id: trap, properties: {policy_public: true}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A working directory with mamori.yaml pointing at a directory of custom rules, and two snapshots."""
    write_rules(tmp_path / "security-rules", ["t_bucket_public", "t_user_shared"])
    (tmp_path / "mamori.yaml").write_text("rule_paths: [./security-rules]\n")
    write_snapshot(estate(volumes={"v1": True}, buckets={"b1": False, "b2": False}, users={"u1": False}), tmp_path / "day1.json")
    write_snapshot(estate(day=1, volumes={"v1": True, "v2": False}, buckets={"b1": True, "b2": False}, users={"u1": True}), tmp_path / "day2.json")
    return tmp_path


ONLY = ("--rules", "t_bucket_public,t_user_shared,ec2_ebs_volume_unencrypted")


def js(r: Any) -> Any:
    assert r.code == 0, r.err + r.out
    return json.loads(r.out)


def test_custom_rule_counts_in_scores_and_standards(mamori: Callable[..., Any], project: Path) -> None:
    scan = js(mamori("scan", "--snapshot", "day1.json", *ONLY, "-o", "json"))
    base = next(s for s in scan["scores"] if (s["standard"], s["account"], s["category"]) == ("baseline", "*", "2"))
    assert base["passed"] == 2 and base["score"] == 100.0  # only the custom rule maps to baseline 2.5 here
    cov = next(c for c in scan["coverage"] if (c["standard"], c["account"], c["category"]) == ("baseline", "*", "*"))
    assert cov["controls"] == 26 and cov["machine"] + cov["attested"] + cov["not_covered"] == 26
    show = js(mamori("standards", "show", "baseline", "-o", "json"))
    ctl = {c["control"]: c for c in show["controls"]}
    assert "t_bucket_public" in ctl["2.5"]["rules"] and ctl["2.5"]["status"] == "passing" and ctl["2.5"]["passed"] == 2
    assert ctl["1.2"]["rules"] == ["t_user_shared"] and ctl["4.1"]["rules"] == ["ec2_ebs_volume_unencrypted"]
    assert ctl["6.1"]["status"] == "not covered" and ctl["6.1"]["coverage"] == "not covered"
    assert show["summary"].startswith("baseline: ") and "items checked by machine" in show["summary"]


def test_attest_then_show_list_and_revoke(mamori: Callable[..., Any], project: Path) -> None:
    assert mamori("scan", "--snapshot", "day1.json", *ONLY, "-q").code == 0
    r = mamori("attest", "6.1", "--by", "alice@example.com", "--evidence", "https://wiki.example.com/ir-plan", "--expires", "2099-12-31")
    assert r.code == 0 and "recorded attestation" in r.out and "baseline 6.1" in r.out
    att = js(mamori("attest", "6.2", "--by", "bob", "--evidence", "drill report", "--expires", "30d", "-o", "json"))
    assert att["state"] == "active" and att["control"] == "6.2"
    cis = mamori("attest", "add", "1.1", "--standard", "cis-aws-3.0", "--account", "111122223333", "--by", "carol", "--evidence", "contacts", "--expires", "1y")
    assert cis.code == 0, cis.err
    typo = mamori("attest", "6.2", "--account", "11112222333", "--by", "bob", "--evidence", "drill", "--expires", "30d")
    assert typo.code == 0 and "was not in the latest scan" in typo.out
    assert mamori("attest", "revoke", typo.out.split("recorded attestation ")[1].split(":")[0], "--by", "bob").code == 0
    show = js(mamori("standards", "show", "baseline", "-o", "json"))
    ctl = {c["control"]: c for c in show["controls"]}
    assert ctl["6.1"]["status"] == "attested" and ctl["6.1"]["attestation"]["by"] == "alice@example.com"
    assert show["overall"]["coverage"]["attested"] == 2
    table = mamori("standards", "show", "baseline", "--status", "attested")
    assert table.code == 0 and "2 controls" in table.out and "attested" in table.out  # one line per control
    details = mamori("standards", "show", "baseline", "--status", "attested", "--details")
    assert details.code == 0 and "alice@example.com" in details.out and "2 controls" in details.out
    rows = list(csv.DictReader(io.StringIO(mamori("attest", "list", "-o", "csv").out)))
    assert {r["control"] for r in rows} == {"6.1", "6.2", "1.1"}
    assert mamori("attest", "revoke", att["id"][:8], "--by", "alice", "--reason", "wrong drill").code == 0
    assert {a["control"] for a in js(mamori("attest", "list", "-o", "json"))} == {"6.1", "1.1"}
    every = js(mamori("attest", "list", "--all", "-o", "json"))
    assert {a["state"] for a in every} == {"active", "revoked"} and len(every) == 4
    audit = js(mamori("audit", "list", "-o", "json"))
    assert [e["action"] for e in audit if e["action"].startswith("standards.")] == ["standards.attest"] * 4 + ["standards.attest.revoke"] * 2


def test_attest_refuses_what_a_machine_checks_and_bad_input(mamori: Callable[..., Any], project: Path) -> None:
    machine = mamori("attest", "2.5", "--by", "x", "--evidence", "y", "--expires", "30d")
    assert machine.code == 2 and "checked by machine" in machine.err and "t_bucket_public" in machine.err
    assert "did you mean 6.1, 6.2" in mamori("attest", "6", "--by", "x", "--evidence", "y", "--expires", "30d").err
    past = mamori("attest", "6.1", "--by", "x", "--evidence", "y", "--expires", "2001-01-01")
    assert past.code == 2 and "not in the future" in past.err
    assert mamori("attest", "6.1", "--by", "x", "--evidence", "y", "--expires", "whenever").code == 2
    assert mamori("attest", "6.1", "--evidence", "y", "--expires", "30d").code == 2  # --by is required
    assert "No attestations" in mamori("attest", "list").out


def test_standards_list_show_formats_and_drift(mamori: Callable[..., Any], project: Path) -> None:
    assert mamori("scan", "--snapshot", "day1.json", *ONLY, "-q").code == 0
    assert mamori("scan", "--snapshot", "day2.json", *ONLY, "-q").code == 0
    listed = js(mamori("standards", "list", "-o", "json"))
    assert [s["standard"] for s in listed] == ["baseline", "cis-aws-3.0", "cis-gcp-3.0", "fsbp"]
    assert all("controls" not in s for s in listed) and listed[0]["overall"]["coverage"]["controls"] == 26
    table = mamori("standards", "list")
    assert table.code == 0 and "of machine-checked weight passing" in table.out and "cis-aws-3.0" in table.out
    rows = list(csv.DictReader(io.StringIO(mamori("standards", "list", "-o", "csv").out)))
    assert rows[0]["standard"] == "baseline" and int(rows[0]["controls"]) == 26
    failing = list(csv.DictReader(io.StringIO(mamori("standards", "show", "baseline", "--status", "failing", "-o", "csv").out)))
    assert {r["control"] for r in failing} >= {"2.5", "4.1", "1.2"}
    acct = js(mamori("standards", "show", "fsbp", "--account", "111122223333", "--category", "S3", "-o", "json"))
    assert acct["account"] == "111122223333" and {c["category"] for c in acct["controls"]} == {"S3"}
    assert mamori("standards", "show", "baseline", "--category", "9").code == 2
    assert mamori("standards", "show", "nist").code == 2
    scans = js(mamori("scans", "list", "-o", "json"))
    past = js(mamori("standards", "show", "baseline", "--scan", scans[-1]["id"][:8], "-o", "json"))
    assert past["scan"]["id"] == scans[-1]["id"] and {c["control"]: c for c in past["controls"]}["2.5"]["status"] == "passing"
    d = js(mamori("standards", "drift", "-o", "json"))
    assert d["delta"] < 0 and "caused the drop" in d["headline"]
    assert {w["finding"]["resource"]["id"] for w in d["worsened"]} >= {"b1", "v2"}
    text = mamori("standards", "drift", "--since", "2026-11-01")
    assert text.code == 0 and "these findings caused the drop" in text.out and "b1" in text.out
    assert mamori("standards", "drift", "--since", "2026-11-01", "--scan", "x").code == 2


def test_scan_summary_shows_the_coverage_split(mamori: Callable[..., Any], project: Path) -> None:
    r = mamori("scan", "--snapshot", "day1.json", *ONLY, "-q")
    assert r.code == 0
    lines = [line for line in r.out.splitlines() if "of machine-checked weight passing" in line]
    assert [line.split(":")[0] for line in lines] == ["baseline", "cis-aws-3.0", "fsbp"]  # cis-gcp-3.0: no GCP result here
    assert "of 26 items checked by machine" in lines[0] and "not covered" in lines[0]


def test_rules_test_over_a_snapshot_and_cases(mamori: Callable[..., Any], project: Path) -> None:
    r = mamori("rules", "test", "t_bucket_public", "--snapshot", "day2.json")
    assert r.code == 0 and "1 pass, 1 fail, 0 unknown" in r.out and "public: true" in r.out
    data = js(mamori("rules", "test", "t_bucket_public", "--snapshot", "day2.json", "-o", "json"))
    assert {(x["resource_id"], x["status"]) for x in data["snapshot"]["results"]} == {("b1", "FAIL"), ("b2", "PASS")}
    only = mamori("rules", "test", "security-rules/t_bucket_public.yaml", "--snapshot", "day2.json", "--show", "fail")
    assert only.code == 0 and "b1" in only.out and "b2" not in only.out
    (project / "cases.yaml").write_text(CASES)
    bad = mamori("rules", "test", "t_bucket_public", "--cases", "cases.yaml")
    assert bad.code == 1 and "MISMATCH" in bad.out and "wrong on purpose" in bad.out
    bad_json = mamori("rules", "test", "t_bucket_public", "--cases", "cases.yaml", "-o", "json")
    assert bad_json.code == 1 and json.loads(bad_json.out)["cases"]["failed"] == 1
    (project / "good.yaml").write_text(CASES.split("  - name: wrong")[0])
    good = js(mamori("rules", "test", "t_bucket_public", "--cases", "good.yaml", "-o", "json"))
    assert good["cases"]["passed"] == 3 and good["cases"]["failed"] == 0
    assert mamori("rules", "test", "t_user_shared", "--cases", "good.yaml").code == 2  # the file is for another rule
    assert mamori("rules", "test", "t_bucket_public").code == 2
    assert mamori("rules", "test", "no_such_rule", "--snapshot", "day2.json").code == 2
    (project / "broken.yaml").write_text("rule: t_bucket_public\ncases:\n  - expect: MAYBE\n    resource: {}\n")
    broken = mamori("rules", "test", "t_bucket_public", "--cases", "broken.yaml")
    assert broken.code == 2 and "broken.yaml:cases[0].expect" in broken.err


def test_rules_test_runs_the_built_in_case_files(mamori: Callable[..., Any]) -> None:
    cases = Path(__file__).resolve().parents[1] / "rules" / "cases" / "iam" / "iam_access_key_older_than_90_days.yaml"
    r = mamori("rules", "test", "iam_access_key_older_than_90_days", "--cases", str(cases), "--now", "2026-11-23T12:00:00+00:00")
    assert r.code == 0 and "as expected" in r.out and "MISMATCH" not in r.out


def test_unused_rules_fixture_names_exist() -> None:
    assert {"t_bucket_public", "t_user_shared", "t_volume_unencrypted"} == set(RULES)
