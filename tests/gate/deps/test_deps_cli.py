"""`mamori gate deps` and `mamori gate stats` end to end, through click (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from mamori.cli.gate import gate

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = """\
team: payments
block:
  ids: [GHSA-qxxx-2pp7-5hmx]
fix_by:
  medium: 30
"""


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read whole package lines; 80 columns is covered in test_deps_outputs.py."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "payments-api"
    root.mkdir()
    (root / "requirements.txt").write_text("requests==2.19.0\nidna==3.7\n")
    (root / "pom.xml").write_text((FIXTURES / "maven/pom.xml").read_text())
    (root / "mamori-policy.yaml").write_text(POLICY)
    return root


def invoke(*args: str, obj: dict | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(gate, list(args), obj=obj, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_block_fix_by_and_pass_end_to_end(project: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    code, out, _ = invoke("deps", str(project), "--sample-data", "--db", db, "--now", "2026-03-02", "--all")
    assert code == 1
    assert "mamori gate deps: payments-api (team payments)" in out
    assert (
        "BLOCK             Maven com.fasterxml.jackson.core:jackson-databind 2.1.0 -> upgrade to 2.6.7.1"
        in out
    )
    assert (
        "GHSA-qxxx-2pp7-5hmx (CVE-2017-7525) critical 9.8: BLOCK: GHSA-qxxx-2pp7-5hmx is banned by policy"
        in out
    )
    assert "Maven org.apache.logging.log4j:log4j-core 2.14.1 -> upgrade to 2.16.0" in out
    assert "in CISA's Known Exploited Vulnerabilities catalogue" in out
    assert "FIX BY 2026-04-01 PyPI requests 2.19.0 -> upgrade to 2.31.0" in out
    assert "PASS              PyPI idna 3.7" in out
    assert "UNPINNED          Maven org.yaml:snakeyaml [1.26,2.0)" in out
    assert "policy: " + str(project / "mamori-policy.yaml") in out


def test_deadline_passes_on_a_later_run(project: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    (project / "pom.xml").unlink()
    code, out, _ = invoke("deps", str(project), "--sample-data", "--db", db, "--now", "2026-03-02")
    assert code == 0 and "FIX BY 2026-04-01" in out
    code, out, _ = invoke("deps", str(project), "--sample-data", "--db", db, "--now", "2026-03-20")
    assert code == 0 and "FIX BY 2026-04-01" in out  # the clock did not reset
    code, out, _ = invoke(
        "deps", str(project), "--sample-data", "--db", db, "--now", "2026-04-02", "-o", "json"
    )
    assert code == 1
    doc = json.loads(out)
    req = next(p for p in doc["packages"] if p["name"] == "requests")
    assert req["verdict"] == "BLOCK" and req["rule"] == "deadline-passed" and req["deadline"] == "2026-04-01"
    assert req["vulnerabilities"][0]["first_seen"].startswith("2026-03-02")

    code, out, _ = invoke("stats", "--db", db, "--now", "2026-04-03")
    assert code == 0
    assert out.splitlines()[1].split()[:4] == ["payments", "3", "1", "33%"]
    assert "deadline-passed 1" in out
    code, out, _ = invoke("stats", "--db", db, "--now", "2026-04-03", "-o", "json", "--team", "payments")
    teams = json.loads(out)["teams"]
    assert teams[0]["team"] == "payments" and teams[0]["projects"] == ["payments-api"]
    assert (
        teams[0]["reasons"] == {"deadline-passed": 1} and teams[0]["open"] == 1 and teams[0]["overdue"] == 1
    )


@pytest.mark.parametrize("fmt", ["json", "sarif", "cyclonedx"])
def test_machine_outputs_to_a_file(project: Path, tmp_path: Path, fmt: str) -> None:
    out_file = tmp_path / f"report.{fmt}"
    code, out, err = invoke("deps", str(project), "--sample-data", "--no-record", "-o", fmt, "--output-file",
                            str(out_file))  # fmt: skip
    assert code == 1 and out == ""
    assert "BLOCK" in err and str(out_file) in err
    doc = json.loads(out_file.read_text())
    assert {"json": "schema", "sarif": "runs", "cyclonedx": "vulnerabilities"}[fmt] in doc


def test_bad_policy_is_exit_2_naming_file_and_line(project: Path) -> None:
    (project / "mamori-policy.yaml").write_text("block:\n  ids: [x]\n  severity_at_least: severe\n")
    code, out, err = invoke("deps", str(project), "--sample-data", "--no-record")
    assert code == 2 and out == ""
    assert f"error: {project / 'mamori-policy.yaml'}:3: block.severity_at_least" in err


def test_kev_required_but_missing_is_exit_2(project: Path) -> None:
    (project / "mamori-policy.yaml").write_text("block:\n  kev: true\n")
    code, _, err = invoke(
        "deps", str(project), "--osv-dir", str(Path(__file__).parent / "fixtures"), "--no-record"
    )
    assert code == 2 and "no KEV catalogue" in err


def test_kev_from_a_user_file(project: Path, tmp_path: Path) -> None:
    (project / "pom.xml").unlink()
    (project / "mamori-policy.yaml").write_text("block:\n  kev: true\n  kev_catalog: feeds/kev.json\n")
    (project / "feeds").mkdir()
    (project / "feeds" / "kev.json").write_text('{"vulnerabilities": [{"cveID": "CVE-2023-32681"}]}')
    code, out, _ = invoke("deps", str(project), "--sample-data", "--no-record")
    assert code == 1 and "CVE-2023-32681 is in CISA's Known Exploited Vulnerabilities catalogue" in out
    other = tmp_path / "other-kev.json"
    other.write_text('{"vulnerabilities": []}')
    code, _, _ = invoke("deps", str(project), "--sample-data", "--no-record", "--kev", str(other))
    assert code == 0


def test_malformed_lockfile_is_exit_2_but_the_rest_is_reported(project: Path) -> None:
    (project / "package-lock.json").write_text('{\n  "lockfileVersion": 3,\n  "packages": {\n    "x": ]\n')
    code, out, _ = invoke("deps", str(project), "--sample-data", "--no-record")
    assert code == 2
    assert "errors (these files were not audited):" in out and "package-lock.json:4:" in out
    assert "jackson-databind" in out and out.rstrip().endswith("INCOMPLETE (exit 2)")


def test_one_advisory_source_at_most_and_an_empty_cache_names_db_update(project: Path) -> None:
    result = CliRunner().invoke(gate, ["deps", str(project), "--no-record"])
    assert result.exit_code == 2 and "the advisory cache is empty: run `mamori db update`" in result.output
    result = CliRunner().invoke(gate, ["deps", str(project), "--online", "--sample-data"])
    assert result.exit_code == 2


def test_no_record_does_not_create_a_store(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = invoke("deps", str(project), "--sample-data", "--no-record")
    assert code == 1
    assert not (tmp_path / ".mamori").exists()


def test_an_empty_directory_says_nothing_was_audited(tmp_path: Path) -> None:
    code, out, _ = invoke("deps", str(tmp_path), "--sample-data", "--no-record")
    assert code == 0 and "no lockfile or manifest found: nothing was audited" in out


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("deps", str(tmp_path / "nope"), "--sample-data", "--no-record")
    assert code == 2 and "no such file or directory" in err


def test_project_team_and_commit_defaults(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
    monkeypatch.setenv("MAMORI_TEAM", "platform")
    code, out, _ = invoke("deps", str(project), "--sample-data", "--no-record", "-o", "json")
    doc = json.loads(out)
    assert (doc["project"], doc["team"], doc["commit"]) == (
        "payments-api", "platform", "0123456789abcdef0123456789abcdef01234567")  # fmt: skip
    code, out, _ = invoke(
        "deps", str(project), "--sample-data", "--no-record", "-o", "json",
        "--project", "p", "--team", "t", "--commit", "c",
    )  # fmt: skip
    assert code == 1
    doc = json.loads(out)
    assert (doc["project"], doc["team"], doc["commit"]) == ("p", "t", "c")


def test_online_mode_through_a_mock_transport(project: Path) -> None:
    record = json.loads((FIXTURES.parent.parent.parent.parent / "src/mamori/gate/deps/data/osv-sample/PyPI"
                         / "GHSA-j8r2-6x86-q33q.json").read_text())  # fmt: skip
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url}")
        if request.url.path == "/v1/querybatch":
            queries = json.loads(request.content)["queries"]
            return httpx.Response(200, json={"results": [
                {"vulns": [{"id": "GHSA-j8r2-6x86-q33q"}]} if q["package"]["name"] == "requests" else {}
                for q in queries]})  # fmt: skip
        return httpx.Response(200, json=record)

    (project / "pom.xml").unlink()
    code, out, _ = invoke(
        "deps", str(project), "--online", "--no-record", obj={"osv_transport": httpx.MockTransport(handler)}
    )
    assert code == 0
    assert "advisories: OSV API at https://api.osv.dev" in out
    assert "FIX BY" in out and "requests 2.19.0 -> upgrade to 2.31.0" in out
    assert seen == [
        "POST https://api.osv.dev/v1/querybatch",
        "GET https://api.osv.dev/v1/vulns/GHSA-j8r2-6x86-q33q",
    ]


def test_through_the_mamori_entry_point(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mamori.cli.main import main

    with pytest.raises(SystemExit) as exit_:
        main(["gate", "deps", str(project), "--sample-data", "--no-record", "-o", "json"])
    assert exit_.value.code == 1
    assert json.loads(capsys.readouterr().out)["blocked"] is True
    with pytest.raises(SystemExit) as exit_:
        main(["gate", "deps", str(project), "--no-record"])
    assert exit_.value.code == 2
