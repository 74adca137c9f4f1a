"""Who is running the gate: project, team and commit, from options, the policy, git or CI variables."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: commit variables of common CI systems, in the order they are tried after ``git rev-parse HEAD``
CI_COMMIT_VARS = (
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
    "CODEBUILD_RESOLVED_SOURCE_VERSION",
    "BITBUCKET_COMMIT",
    "CIRCLE_SHA1",
    "BUILDKITE_COMMIT",
    "BUILD_SOURCEVERSION",
    "TRAVIS_COMMIT",
    "GIT_COMMIT",
)
_REMOTE = re.compile(r"[:/]([^/:]+/[^/]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class RunContext:
    project: str
    team: str
    commit: str | None


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def detect_project(root: Path) -> str:
    """``owner/repo`` of the git remote ``origin``, else the directory's name."""
    base = root if root.is_dir() else root.parent
    url = _git(base, "config", "--get", "remote.origin.url")
    if url:
        m = _REMOTE.search(url)
        if m:
            return m.group(1)
    return base.resolve().name or "project"


def detect_commit(root: Path) -> str | None:
    base = root if root.is_dir() else root.parent
    head = _git(base, "rev-parse", "HEAD")
    if head:
        return head
    for var in CI_COMMIT_VARS:
        if os.environ.get(var):
            return os.environ[var]
    return None


def resolve_context(
    root: Path,
    *,
    project: str | None = None,
    team: str | None = None,
    commit: str | None = None,
    policy_project: str | None = None,
    policy_team: str | None = None,
) -> RunContext:
    return RunContext(
        project=project or policy_project or detect_project(root),
        team=team or os.environ.get("MAMORI_TEAM") or policy_team or "",
        commit=commit or detect_commit(root),
    )
