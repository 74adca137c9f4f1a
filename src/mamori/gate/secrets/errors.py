"""The secret gate's exceptions.

    MamoriError
    ├── InputError
    │   └── ConfigError
    │       └── SecretsConfigError   .mamori-secrets.yaml, a baseline or an option that does not validate
    │   └── NotARepositoryError      --staged / --history outside a git work tree
    └── GitError                     a git command failed while streaming
"""

from __future__ import annotations

from mamori.errors import ConfigError, InputError, MamoriError


class SecretsConfigError(ConfigError):
    """A secrets config, allowlist or baseline file that does not validate (file and place named)."""


class NotARepositoryError(InputError):
    """A git-only mode (--staged, --history, install-hook) was asked for outside a git work tree."""


class GitError(MamoriError):
    """A git command failed."""
