"""The exception tree of the events subsystem, in one place.

    MamoriError
    ├── InputError
    │   ├── DetectionError        a detection file that does not validate (file, place)
    │   └── EventsConfigError     the ``events:`` configuration does not validate
    └── EventSourceError          an S3 bucket / SQS queue cannot be read as a whole

A responder that fails to act raises nothing: the remediation change records the failure
(``mamori.remediate.errors``) and the response is recorded as ``failed`` with the error.

Malformed CloudTrail input is *not* an exception: it is counted and reported as
:class:`mamori.events.reader.Malformed` items while processing goes on.
"""

from __future__ import annotations

from mamori.errors import ConfigError, MamoriError, RuleError


class DetectionError(RuleError):
    """A detection file that does not validate."""


class EventsConfigError(ConfigError):
    """The events configuration does not validate."""


class EventSourceError(MamoriError):
    """A source of events (bucket, queue) cannot be read."""
