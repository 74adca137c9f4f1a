"""`mamori gate secrets` / `install-hook` through click: formats, redaction, exit codes, --verify."""

from __future__ import annotations

import json
from pathlib import Path
from random import Random

import boto3
import pytest
from click.testing import CliRunner
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from mamori.cli.gate import gate
from mamori.gate.secrets import corpus
from mamori.gate.secrets.detectors import REGISTRY

from .helpers import aws_key_id, aws_secret, commit, github_token, init_repo


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(gate, list(args), catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def leaky(tmp_path: Path) -> tuple[Path, list[str]]:
    """A tree with one positive of every detector; returns it and the raw secrets."""
    from mamori.gate.secrets.detectors import REGISTRY as reg
    from mamori.gate.secrets.scanner import Scanner

    r = Random(11)
    secrets: list[str] = []
    sc = Scanner(reg.values())
    for i, det_id in enumerate(reg):
        text = corpus.positive(det_id, r)
        path = corpus.sample_path(det_id)
        name = f"f{i:03d}.txt" if path == corpus.DEFAULT_SAMPLE_PATH else f"f{i:03d}/{path.rsplit('/', 1)[-1]}"
        if reg.get(det_id).by_path:  # found by the file's name
            name, text = f"f{i:03d}/{text}", "binary"
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"line one\n{text}\n")
        secrets.extend(m.secret.text for m in sc.scan_bytes(path, text.encode()).matches)
    return tmp_path, secrets


# Fixed words inside some formats (a Teams webhook URL's "IncomingWebhook", Bedrock's "bedrock-api-key-")
# are also in detector titles and ids: such pieces say nothing about a leak.
_METADATA = " ".join(f"{d.id} {d.title} {d.id.title().replace('-', '')}" for d in REGISTRY.values()).lower()


def _assert_no_secret(blob: str, secrets: list[str]) -> None:
    for s in secrets:
        assert s not in blob
        for piece in (s[i : i + 8] for i in range(4, max(5, len(s) - 8), 8)):
            if len(piece) == 8 and piece.lower() not in _METADATA:  # nothing past the first 4 characters leaks
                assert piece not in blob, piece


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_every_format_redacts(leaky: tuple[Path, list[str]], fmt: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    root, secrets = leaky
    code, out, err = run("secrets", str(root), "-o", fmt)
    assert code == 1
    _assert_no_secret(out + err, secrets)
    report = tmp_path_factory.mktemp("out") / f"r.{fmt}"
    code, out, err = run("secrets", str(root), "-o", fmt, "--output-file", str(report))
    assert code == 1 and report.exists() and "written to" in err
    _assert_no_secret(report.read_text() + out + err, secrets)


def test_json_shape(leaky: tuple[Path, list[str]]) -> None:
    root, _ = leaky
    code, out, _ = run("secrets", str(root), "-o", "json")
    data = json.loads(out)
    assert code == 1 and isinstance(data, list) and len(data) == len(REGISTRY)
    for item in data:
        assert {"detector", "file", "line", "commit", "fingerprint", "secret"} <= set(item)
        assert item["commit"] is None and len(item["fingerprint"]) == 32
        assert "…" in item["secret"] and len(item["secret"].split("…")[0]) <= 4
    assert {d["detector"] for d in data} == set(REGISTRY)


def test_sarif_structure(leaky: tuple[Path, list[str]]) -> None:
    root, _ = leaky
    _, out, _ = run("secrets", str(root), "-o", "sarif")
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    run0 = doc["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == set(REGISTRY)
    assert run0["results"]
    for res in run0["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("f") and loc["region"]["startLine"] >= (1 if res["ruleId"] == "pkcs12-file" else 2)
        assert res["partialFingerprints"]["mamoriSecret/v1"]
        assert res["level"] in {"error", "warning", "note"}
    # fingerprints are stable from run to run
    _, again, _ = run("secrets", str(root), "-o", "sarif")
    fps = [r["partialFingerprints"] for r in json.loads(again)["runs"][0]["results"]]
    assert fps == [r["partialFingerprints"] for r in run0["results"]]


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("print('hello')\n" + corpus.DECOYS["git-sha"](Random(1)) + "\n")
    code, out, _ = run("secrets", str(tmp_path))
    assert code == 0 and "no secrets found" in out


def test_bad_config_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("allowlist:\n  - path: a\n    reason: because\n    expires: not-a-date\n")
    code, _, err = run("secrets", str(tmp_path), "--config", str(cfg))
    assert code == 2
    assert f"{cfg}:4: allowlist[0].expires" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("secrets", "--staged", "--history")[0] == 2
    assert run("secrets", str(tmp_path), "--since", "HEAD")[0] == 2
    code, _, err = run("secrets", str(tmp_path / "missing"))
    assert code == 2 and "no such file" in err
    code, _, err = run("secrets", "--history", str(tmp_path))
    assert code == 2 and "needs a git repository" in err


def test_update_baseline_then_clean(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"TOKEN={github_token(2)}\n")
    bl = tmp_path / ".mamori-secrets-baseline.json"
    code, out, _ = run("secrets", str(tmp_path), "--update-baseline", str(bl))
    assert code == 0 and "1 fingerprint" in out
    assert github_token(2) not in bl.read_text()
    code, out, _ = run("secrets", str(tmp_path))  # the default baseline name is picked up
    assert code == 0 and "1 known finding(s) silenced (1 by baseline)" in out


def test_history_json_reports_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "r")
    sha = commit(repo, {"k.py": f'K = "{aws_key_id(3)}"\n'}, "oops")
    commit(repo, {"k.py": "K = None\n"}, "fix")
    monkeypatch.chdir(repo)
    code, out, _ = run("secrets", "--history", "-o", "json")
    data = json.loads(out)
    assert code == 1 and [(d["file"], d["line"], d["commit"], d["author"]) for d in data] == [
        ("k.py", 1, sha, "Ada Dev")
    ]
    code, out, _ = run("secrets", "--history")
    assert f"introduced in {sha[:12]} by Ada Dev" in out


def test_install_hook_command(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    code, out, _ = run("install-hook", "--repo", str(repo))
    assert code == 0 and "pre-commit" in out
    code, _, err = run("install-hook", "--repo", str(tmp_path / "nope"))
    assert code == 2 and "git repository" in err


def test_list_detectors() -> None:
    code, out, _ = run("secrets", "--list-detectors")
    assert code == 0 and len(out.splitlines()) == len(REGISTRY)


@set_initial_no_auth_action_count(2)
def test_verify_with_sts_via_moto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="leaky")
        key = iam.create_access_key(UserName="leaky")["AccessKey"]
        (tmp_path / "live.ini").write_text(
            f"aws_access_key_id = {key['AccessKeyId']}\naws_secret_access_key = {key['SecretAccessKey']}\n"
        )
        (tmp_path / "dead.ini").write_text(
            f"aws_access_key_id = {aws_key_id(4)}\naws_secret_access_key = {aws_secret(4)}\n"
        )
        code, out, err = run("secrets", str(tmp_path), "-o", "json", "--verify")
    data = json.loads(out)
    got = {(d["file"], d["detector"]): d["verified"] for d in data}
    assert code == 1
    assert got == {
        ("live.ini", "aws-access-key-id"): "live",
        ("live.ini", "aws-secret-access-key"): "live",
        ("dead.ini", "aws-access-key-id"): "rejected",
        ("dead.ini", "aws-secret-access-key"): "rejected",
    }
    assert key["SecretAccessKey"] not in out + err


def test_verify_is_off_by_default(tmp_path: Path) -> None:
    (tmp_path / "k.ini").write_text(f"aws_access_key_id = {aws_key_id(5)}\naws_secret_access_key = {aws_secret(5)}\n")
    code, out, _ = run("secrets", str(tmp_path), "-o", "json")
    assert code == 1 and all(d["verified"] is None for d in json.loads(out))
    assert run("secrets", str(tmp_path), "--endpoint-url", "http://x")[0] == 2


def test_through_the_mamori_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mamori.cli.main import main

    (tmp_path / "a.env").write_text(f"GITHUB_TOKEN={github_token(6)}\n")
    with pytest.raises(SystemExit) as info:
        main(["gate", "secrets", str(tmp_path), "-o", "json"])
    assert info.value.code == 1
    out = capsys.readouterr().out
    assert json.loads(out)[0]["detector"] == "github-pat" and github_token(6) not in out
    (tmp_path / ".mamori-secrets.yaml").write_text("disable: [nope]\n")
    with pytest.raises(SystemExit) as info:
        main(["gate", "secrets", str(tmp_path)])
    assert info.value.code == 2
