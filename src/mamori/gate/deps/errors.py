"""The dependency gate's exceptions.

    MamoriError
    ├── InputError
    │   ├── LockfileError            a lockfile or manifest that cannot be parsed (file and place named)
    │   ├── AdvisoryDataError        an OSV data directory, OSV record or KEV file that cannot be read
    │   └── ConfigError
    │       └── PolicyError          mamori-policy.yaml does not validate (file and line named)
    └── OsvServiceError              the OSV API could not be reached or answered badly (--online)

Libraries raise these; ``mamori.cli`` maps InputError to exit 2 and other MamoriErrors to exit 3.
"""

from __future__ import annotations

from mamori.errors import ConfigError, InputError, MamoriError


class LockfileError(InputError):
    """A lockfile or manifest that cannot be parsed."""


class AdvisoryDataError(InputError):
    """Advisory data (an OSV directory, zip or record, or a KEV catalogue) that cannot be read."""


class PolicyError(ConfigError):
    """A dependency policy file that does not validate."""


class OsvServiceError(MamoriError):
    """The OSV service failed (network error, HTTP error or a malformed answer)."""
