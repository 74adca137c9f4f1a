"""Errors of remediation, in one place.

    MamoriError
    ├── InputError
    │   ├── PlanNotFoundError       no plan / change with that id (or an ambiguous prefix)
    │   ├── UnboundRuleError        a rule asked for (--rule) that no remediation action is bound to
    │   │                           (also a RemediationError)
    │   └── ActionParamsError       an action's parameters do not validate (names the config place)
    └── RemediationError            remediation could not do what was asked
        ├── NoAccessError           no credentials for the account a change is in
        ├── ActionError             an action cannot act on this resource (reads failed, unsupported)
        └── NotReversibleError      rollback asked of an action (or change) that cannot be undone

A failing change during ``apply`` is *not* raised: it is recorded on the change
(status ``failed``, the error, how many of its API calls succeeded) and the run goes on.
"""

from __future__ import annotations

from mamori.errors import ConfigError, InputError, MamoriError


class RemediationError(MamoriError):
    """Remediation could not do what was asked."""


class PlanNotFoundError(InputError):
    """No plan or change with that id."""


class UnboundRuleError(RemediationError, InputError):
    """A rule was asked for (``--rule``) that no remediation action is bound to: the caller's to fix (exit 2).

    Still a RemediationError, for callers that catch those.
    """


class ActionParamsError(ConfigError):
    """An action's parameters do not validate."""


class NoAccessError(RemediationError):
    """No credentials (session) for the account a change is in."""


class ActionError(RemediationError):
    """An action cannot act on this resource."""


class NotReversibleError(RemediationError):
    """The change cannot be rolled back."""
