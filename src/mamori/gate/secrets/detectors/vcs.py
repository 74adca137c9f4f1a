"""Source hosting and package registries: GitHub, GitLab, npm, PyPI, Docker Hub."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import B, E, define
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_C = Category.VCS

for _id, _prefix, _kind in (
    ("github-pat", "ghp", "personal access token (classic)"),
    ("github-oauth-token", "gho", "OAuth access token"),
    ("github-user-token", "ghu", "user-to-server token"),
    ("github-server-token", "ghs", "server-to-server token"),
    ("github-refresh-token", "ghr", "refresh token"),
):
    define(
        _id,
        f"GitHub {_kind}",
        B + rf"(?P<secret>{_prefix}_[A-Za-z0-9]{{36}})" + E,
        (f"{_prefix}_",),
        category=_C,
        severity=Severity.CRITICAL,
    )
define(
    "github-fine-grained-pat",
    "GitHub fine-grained personal access token",
    B + r"(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + E,
    ("github_pat_",),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "gitlab-pat",
    "GitLab personal access token",
    B + r"(?P<secret>glpat-[A-Za-z0-9_\-]{20,})" + E,
    ("glpat-",),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "gitlab-runner-token",
    "GitLab runner authentication token",
    B + r"(?P<secret>glrt-[A-Za-z0-9_\-]{20,})" + E,
    ("glrt-",),
    category=_C,
)
define(
    "npm-token",
    "npm access token",
    B + r"(?P<secret>npm_[A-Za-z0-9]{36})" + E,
    ("npm_",),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "npmrc-auth-token",
    "npm registry _authToken in .npmrc",
    r"_authToken\s*=\s*(?P<secret>[A-Za-z0-9_\-.+/=]{20,})",
    ("_authtoken",),
    category=_C,
    min_entropy=3.5,
    supersedes=("npm-token", "generic-secret"),
)
define(
    "pypi-token",
    "PyPI upload token",
    B + r"(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})" + E,
    ("pypi-ageichlwas5vcmc",),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "dockerhub-pat",
    "Docker Hub personal access token",
    B + r"(?P<secret>dckr_pat_[A-Za-z0-9_\-]{27,})" + E,
    ("dckr_pat_",),
    category=_C,
)
define(
    "huggingface-token",
    "Hugging Face access token",
    B + r"(?P<secret>hf_[A-Za-z]{34})" + E,
    ("hf_",),
    category=_C,
)
