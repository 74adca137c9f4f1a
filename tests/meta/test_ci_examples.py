"""The container image and the CI examples match the package: the Dockerfile installs this
project with extras that exist and runs its entry point as a non-root user; every `mamori`
command in the CI examples parses against the real CLI (options, choices)."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest
import yaml

from mamori.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXAMPLES = [ROOT / "examples" / "github-action.yml", ROOT / "examples" / "gitlab-ci.yml"]


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_the_dockerfile_installs_this_package_as_a_non_root_user() -> None:
    ins = _instructions()
    assert ins[0] == ("FROM", "python:3.11-slim")
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    args = dict(rest.split("=", 1) for op, rest in ins if op == "ARG")
    extras = set(args["MAMORI_EXTRAS"].split(","))
    assert extras <= set(PYPROJECT["project"]["optional-dependencies"])
    assert "demo" not in extras and "dev" not in extras  # the image is for CI and scans, not the emulator
    installs = [rest for op, rest in ins if op == "RUN" and "pip install" in rest]
    assert len(installs) == 1 and 'pip install ".[${MAMORI_EXTRAS}]"' in installs[0]
    for op, rest in ins:
        if op == "COPY":
            for src in shlex.split(rest)[:-1]:
                assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
    users = [rest for op, rest in ins if op == "USER"]
    assert users and users[-1] not in {"root", "0"}
    entry = [rest for op, rest in ins if op == "ENTRYPOINT"]
    assert entry == ['["mamori"]'] and "mamori" in PYPROJECT["project"]["scripts"]


def _mamori_lines(doc: object, shell: bool = False) -> list[str]:
    """The `mamori ...` lines of every shell step (GitHub `run:`, GitLab `script:`)."""
    if isinstance(doc, dict):
        return [x for k, v in doc.items() for x in _mamori_lines(v, shell or k in {"run", "script"})]
    if isinstance(doc, list):
        return [x for v in doc for x in _mamori_lines(v, shell)]
    if isinstance(doc, str) and shell:
        return [ln.strip() for ln in doc.splitlines() if ln.strip().startswith("mamori ")]
    return []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_mamori_command_in_the_ci_examples_parses(path: Path) -> None:
    lines = _mamori_lines(yaml.safe_load(path.read_text()))
    assert any("gate secrets" in x for x in lines) and any("gate deps" in x for x in lines) and any("gate iac" in x for x in lines)
    assert all("-o sarif --output-file" in x for x in lines)
    for line in lines:
        args = shlex.split(line)[1:]
        cmd: click.Command = cli
        ctx = click.Context(cli, info_name="mamori")
        while isinstance(cmd, click.Group):
            name, args = args[0], args[1:]
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"{line}: no command {name!r}"
            cmd, ctx = sub, click.Context(sub, info_name=name, parent=ctx)
        cmd.make_context(cmd.name, list(args), parent=ctx.parent)  # raises on an unknown option or choice


def test_the_github_action_uploads_every_report_even_when_a_gate_fails() -> None:
    doc = yaml.safe_load(EXAMPLES[0].read_text())
    steps = doc["jobs"]["gates"]["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert {s["with"]["sarif_file"] for s in uploads} == {"secrets.sarif", "deps.sarif", "iac.sarif"}
    assert all(s.get("if") == "always()" for s in uploads)
    assert doc["permissions"]["security-events"] == "write"


def test_the_pre_commit_hooks_include_the_iac_gate() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    iac = [h for h in hooks if h["id"] == "mamori-iac"]
    assert iac and iac[0]["entry"].startswith("mamori gate iac")
