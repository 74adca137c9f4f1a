"""Staged and history scans against real temporary repositories, and the pre-commit hook end to end."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mamori.gate.secrets import api
from mamori.gate.secrets.config import SecretsConfig
from mamori.gate.secrets.errors import NotARepositoryError, SecretsConfigError
from mamori.gate.secrets.hook import install_hook

from .helpers import aws_key_id, commit, git, github_token, init_repo


@pytest.fixture
def settings(tmp_path: Path) -> api.Settings:
    return api.Settings.from_config(SecretsConfig(), base_dir=tmp_path / "nowhere")


def test_staged_scan_reports_only_added_lines(tmp_path: Path, settings: api.Settings) -> None:
    repo = init_repo(tmp_path / "r")
    old = github_token(1)
    commit(repo, {"app.py": f'OLD = "{old}"\nx = 1\n'}, "old secret, already known")
    (repo / "app.py").write_text(f'OLD = "{old}"\nx = 1\nKEY = "{aws_key_id(2)}"\n')
    (repo / "notes.md").write_text("nothing here\n")
    (repo / "unstaged.py").write_text(f'T = "{github_token(3)}"\n')
    git(repo, "add", "app.py", "notes.md")
    res = api.scan_staged(repo, settings)
    assert [(f.detector, f.file, f.line) for f in res.findings] == [("aws-access-key-id", "app.py", 3)]
    assert res.findings[0].commit is None


def test_staged_scan_in_a_fresh_repository(tmp_path: Path, settings: api.Settings) -> None:
    repo = init_repo(tmp_path / "r")
    (repo / "dir with space").mkdir()
    (repo / "dir with space" / "ünï.env").write_text(f"TOKEN={github_token(4)}\n")
    git(repo, "add", ".")
    res = api.scan_staged(repo, settings)
    assert [(f.detector, f.file) for f in res.findings] == [("github-pat", "dir with space/ünï.env")]


def test_history_reports_introducing_commit_once(tmp_path: Path, settings: api.Settings) -> None:
    repo = init_repo(tmp_path / "r")
    tok = github_token(5)
    commit(repo, {"README.md": "hello\n"}, "init", date="2024-01-01T10:00:00+00:00")
    intro = commit(repo, {"cfg.py": f'T = "{tok}"\n'}, "add config", date="2024-02-01T10:00:00+00:00")
    commit(repo, {"cfg.py": f'# moved\nT = "{tok}"\n'}, "touch config", date="2024-03-01T10:00:00+00:00")
    commit(repo, {"copy.py": f'T = "{tok}"\n'}, "same blob elsewhere", date="2024-03-02T10:00:00+00:00")
    commit(repo, {"cfg.py": "T = os.environ['T']\n"}, "remove it", date="2024-04-01T10:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "feature")
    side = commit(repo, {"f.env": f"AWS={aws_key_id(6)}\n"}, "on a branch", date="2024-05-01T10:00:00+00:00")
    git(repo, "checkout", "-q", "main")

    res = api.scan_history(repo, settings)
    got = sorted((f.detector, f.file, f.line, f.commit.sha if f.commit else None) for f in res.findings)
    assert got == [("aws-access-key-id", "f.env", 1, side), ("github-pat", "cfg.py", 1, intro)]
    gh = next(f for f in res.findings if f.detector == "github-pat")
    assert gh.commit is not None and gh.commit.author == "Ada Dev" and gh.commit.date.startswith("2024-02-01")
    assert res.stats.commits == 6

    since = api.scan_history(repo, settings, since="main")
    assert [(f.detector, f.commit.sha if f.commit else None) for f in since.findings] == [("aws-access-key-id", side)]


def test_history_needs_a_repository_and_a_known_revision(tmp_path: Path, settings: api.Settings) -> None:
    with pytest.raises(NotARepositoryError):
        api.scan_history(tmp_path, settings)
    repo = init_repo(tmp_path / "r")
    commit(repo, {"a": "b\n"}, "init")
    with pytest.raises(SecretsConfigError, match="unknown revision"):
        api.scan_history(repo, settings, since="no-such-branch")


def test_worktree_scan_respects_gitignore_and_vendor_dirs(tmp_path: Path, settings: api.Settings) -> None:
    repo = init_repo(tmp_path / "r")
    commit(repo, {".gitignore": "secret.local\n"}, "init")
    for name in ("secret.local", "node_modules/x/index.js", "src/main.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(f'T = "{github_token(7)}"\n')
    res = api.scan_paths([repo], settings)
    assert [f.file for f in res.findings] == ["src/main.py"]


def _hook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # the hook runs `python -m mamori.cli.gate_secrets`; make sure the package is importable
    src = str(Path(api.__file__).resolve().parents[3])
    monkeypatch.setenv("PYTHONPATH", src)


def test_pre_commit_hook_refuses_a_commit_with_an_aws_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _hook_env(monkeypatch)
    repo = init_repo(tmp_path / "r")
    target = install_hook(repo, python=sys.executable)
    assert target.name == "pre-commit" and target.stat().st_mode & 0o111
    key = aws_key_id(8)
    (repo / "deploy.sh").write_text(f"export AWS_ACCESS_KEY_ID={key}\n")
    git(repo, "add", "deploy.sh")
    proc = git(repo, "commit", "-m", "deploy", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "AWS access key id" in out and "deploy.sh:1" in out and "mamori:allow" in out
    assert key not in out
    assert git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode != 0  # nothing committed

    # an inline reason lets the commit through
    (repo / "deploy.sh").write_text(f"export AWS_ACCESS_KEY_ID={key}  # mamori:allow revoked, used in docs\n")
    git(repo, "add", "deploy.sh")
    ok = git(repo, "commit", "-q", "-m", "deploy", check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_install_hook_keeps_a_foreign_hook_unless_forced(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\necho mine\n")
    with pytest.raises(SecretsConfigError, match="already exists"):
        install_hook(repo)
    install_hook(repo, force=True)
    assert "mamori" in (hooks / "pre-commit").read_text()
    install_hook(repo)  # re-installing our own hook is fine
