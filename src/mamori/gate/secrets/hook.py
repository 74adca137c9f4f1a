"""``mamori gate install-hook``: a plain git pre-commit hook that runs the staged scan."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path

from mamori.gate.secrets import git
from mamori.gate.secrets.errors import SecretsConfigError

MARKER = "# installed by: mamori gate install-hook"


def hook_script(python: str | None = None) -> str:
    py = shlex.quote(python or sys.executable)
    return (
        "#!/bin/sh\n"
        f"{MARKER}\n"
        "# Refuses a commit that adds a secret. Bypass once (not recommended): git commit --no-verify\n"
        f"exec {py} -m mamori.cli.gate_secrets --staged\n"
    )


def install_hook(repo: Path, *, force: bool = False, python: str | None = None) -> Path:
    """Write ``pre-commit`` into the repository's hooks folder (honours core.hooksPath)."""
    top = git.require_toplevel(repo, "install-hook")
    hooks = git.git_path(top, "hooks")
    target = hooks / "pre-commit"
    if target.exists() and not force and MARKER not in target.read_text(encoding="utf-8", errors="replace"):
        raise SecretsConfigError(
            "a pre-commit hook already exists; use --force to replace it, or call "
            "`mamori gate secrets --staged` from it (or use the pre-commit framework)",
            source=str(target),
        )
    hooks.mkdir(parents=True, exist_ok=True)
    target.write_text(hook_script(python), encoding="utf-8")
    mode = target.stat().st_mode
    target.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return Path(os.path.normpath(target))
