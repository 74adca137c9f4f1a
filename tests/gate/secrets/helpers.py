"""Shared helpers for the secret-gate tests: temporary git repositories and fake secrets."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from random import Random

from mamori.gate.secrets import corpus

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Dev",
    "GIT_AUTHOR_EMAIL": "ada@dev.test",
    "GIT_COMMITTER_NAME": "Ada Dev",
    "GIT_COMMITTER_EMAIL": "ada@dev.test",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
        check=check,
    )


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit(repo: Path, files: dict[str, str], message: str, date: str | None = None) -> str:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        git(repo, "add", name)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
    git(repo, "commit", "-q", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def aws_key_id(seed: int = 1) -> str:
    return "AKIA" + corpus.rs(Random(seed), 16, corpus.B32)


def aws_secret(seed: int = 1) -> str:
    return corpus.rs(Random(seed + 1000), 40, corpus.B64)


def github_token(seed: int = 1) -> str:
    return "ghp_" + corpus.rs(Random(seed), 36)
