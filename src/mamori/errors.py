"""mamori's exception tree, in one place.

    MamoriError                      base of everything mamori raises on purpose
    ├── InputError                   bad user input: a file, a place in it, what is wrong
    │   ├── RuleError                a rule file that does not validate
    │   ├── SnapshotError            a snapshot that cannot be read
    │   └── ConfigError              a config file or option that does not validate
    ├── ScopeError                   an unknown region, profile or account
    ├── CollectionError              collecting from a cloud failed as a whole
    └── StoreError                   the findings store cannot be opened or migrated

Libraries raise these; only ``mamori.cli`` prints them and chooses an exit code.
"""

from __future__ import annotations


class MamoriError(Exception):
    """Base class of mamori's own errors."""


class InputError(MamoriError):
    """Bad input, with the file and the place in it when known."""

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.source = source
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        loc = ""
        if self.source:
            loc = self.source
            if self.where:
                loc += f":{self.where}"
            loc += ": "
        return f"{loc}{self.message}"


class RuleError(InputError):
    """A rule file that does not validate."""


class SnapshotError(InputError):
    """A snapshot file that cannot be read."""


class ConfigError(InputError):
    """A config file or option that does not validate."""


class ScopeError(MamoriError):
    """An unknown region, profile, role or account."""


class CollectionError(MamoriError):
    """Collecting from a cloud failed as a whole (e.g. no credentials)."""


class StoreError(MamoriError):
    """The store cannot be opened, migrated or written."""
