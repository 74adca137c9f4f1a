"""Includes stay inside the scanned directory, and an included file's text is never echoed (issue 12, item 1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mamori.cli.gate import gate
from mamori.gate.deps.discover import collect

SECRET = "MAMORI_TEST_TOKEN=s3cr3t-value-that-must-not-leak"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(gate, ["deps", *args, "--sample-data", "--no-record"], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    f = tmp_path / "secrets.env"
    f.write_text(SECRET + "\n")
    return f


@pytest.mark.parametrize("fmt", ["table", "json", "sarif"])
def test_include_of_proc_self_environ_is_refused_and_not_echoed(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduction: `-r /proc/self/environ` printed the CI environment in every format."""
    monkeypatch.setenv("MAMORI_TEST_TOKEN", "s3cr3t-value-that-must-not-leak")
    d = tmp_path / "d"
    d.mkdir()
    (d / "requirements.txt").write_text("-r /proc/self/environ\n")
    code, out = run(str(d), "-o", fmt)
    assert code == 2
    assert "s3cr3t" not in out
    assert "absolute path" in out


@pytest.mark.parametrize("option", ["-r", "-c", "--requirement", "--constraint"])
def test_dotdot_escape_is_refused(tmp_path: Path, outside: Path, option: str) -> None:
    d = tmp_path / "repo"
    d.mkdir()
    (d / "requirements.txt").write_text(f"{option} ../secrets.env\nidna==3.7\n")
    c = collect(d)
    assert len(c.errors) == 1
    assert "outside the scanned directory" in str(c.errors[0])
    assert "s3cr3t" not in str(c.errors[0])


def test_symlinked_include_pointing_out_is_refused(tmp_path: Path, outside: Path) -> None:
    d = tmp_path / "repo"
    d.mkdir()
    os.symlink(outside, d / "base.txt")
    (d / "requirements.txt").write_text("-r base.txt\n")
    c = collect(d)
    assert c.errors and "outside the scanned directory" in str(c.errors[0])


def test_symlinked_lockfile_pointing_out_is_not_read(tmp_path: Path, outside: Path) -> None:
    d = tmp_path / "repo"
    d.mkdir()
    os.symlink(outside, d / "requirements.txt")
    c = collect(d)
    assert [str(e) for e in c.errors] == [
        "requirements.txt: a symlink to a file outside the scanned directory; not read"
    ]
    assert not c.packages


def test_include_inside_the_root_still_works(tmp_path: Path) -> None:
    d = tmp_path / "repo"
    (d / "sub").mkdir(parents=True)
    (d / "base.txt").write_text("idna==3.7\n")
    (d / "sub" / "requirements.txt").write_text("-r ../base.txt\n")
    c = collect(d)
    assert not c.errors
    assert [(p.name, p.version) for p in c.packages] == [("idna", "3.7")]


def test_allow_include_lets_an_explicit_directory_in(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "base.txt").write_text("idna==3.7\n")
    d = tmp_path / "repo"
    d.mkdir()
    (d / "requirements.txt").write_text("-r ../shared/base.txt\n")
    code, out = run(str(d), "--allow-include", str(shared), "-o", "json")
    assert code == 0, out
    assert json.loads(out)["packages"][0]["name"] == "idna"
    code, _ = run(str(d), "-o", "json")
    assert code == 2


def test_bad_line_in_an_included_file_is_named_but_not_shown(tmp_path: Path) -> None:
    d = tmp_path / "repo"
    d.mkdir()
    (d / ".env").write_text("AWS_SECRET_ACCESS_KEY=abc/def+ghi\n")
    (d / "requirements.txt").write_text("-r .env\n")
    code, out = run(str(d), "-o", "json")
    assert code == 2
    assert "abc/def" not in out and "AWS_SECRET" not in out
    assert ".env:1: invalid requirement (text not shown: it is in an included file)" in out


def test_nested_include_escape_does_not_echo_the_path(tmp_path: Path) -> None:
    d = tmp_path / "repo"
    d.mkdir()
    (d / "base.txt").write_text("-r /etc/hostname-secret-path\n")
    (d / "requirements.txt").write_text("-r base.txt\n")
    c = collect(d)
    assert "hostname-secret-path" not in str(c.errors[0])
    assert str(c.errors[0]).startswith("base.txt:1: an included file is an absolute path")


def test_policy_kev_catalog_outside_the_repository_is_refused(tmp_path: Path, outside: Path) -> None:
    d = tmp_path / "repo"
    d.mkdir()
    (d / "requirements.txt").write_text("idna==3.7\n")
    (d / "mamori-policy.yaml").write_text("block:\n  kev_catalog: ../secrets.env\n")
    code, out = run(str(d))
    assert code == 2
    assert "block.kev_catalog" in out and "outside the scanned directory" in out
    assert "s3cr3t" not in out
