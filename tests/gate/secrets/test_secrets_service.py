"""The secrets gate as a service: one request, one outcome, nothing printed (what a server calls)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.service import Mode, SecretsRequest, resolve, run_secrets_gate

from .helpers import github_token


def test_a_tree_with_a_token_is_one_hit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(3)}\n")
    (tmp_path / "clean.py").write_text("REGION = 'eu-west-1'\n")
    out = run_secrets_gate(SecretsRequest(paths=(tmp_path,)))
    assert out.mode is Mode.PATHS and out.config_file is None
    [hit] = out.result.findings
    assert hit.detector == "github-pat" and hit.file.endswith("a.env") and github_token(3) not in repr(hit)
    assert capsys.readouterr() == ("", ""), "a service never prints"
    doc, n = out.baseline_document()
    assert n == 1 and hit.fingerprint in json.dumps(json.loads(doc))


def test_the_config_beside_the_tree_applies(tmp_path: Path) -> None:
    (tmp_path / ".mamori-secrets.yaml").write_text("disable: [github-pat, generic-secret]\n")
    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(4)}\n")
    req = SecretsRequest(paths=(tmp_path,))
    assert "github-pat" not in {d.id for d in resolve(req).detectors()}
    out = run_secrets_gate(req)
    assert out.result.findings == () and out.config_file == tmp_path / ".mamori-secrets.yaml"


def test_a_bad_config_is_an_error_not_output(tmp_path: Path) -> None:
    (tmp_path / ".mamori-secrets.yaml").write_text("disable: [nope]\n")
    with pytest.raises(SecretsConfigError, match="unknown detector"):
        run_secrets_gate(SecretsRequest(paths=(tmp_path,)))
