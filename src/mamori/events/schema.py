"""The detection model: metadata validated by pydantic, like a posture rule's.

A detection is ``detections/<id>.yaml`` (``id`` == file name), optionally with
``<id>.py`` beside it holding the hooks its condition names::

    id: cloudtrail_stop_logging
    title: CloudTrail logging was stopped
    severity: critical
    mitre: [T1562.008]
    baseline: ["3.1", "3.3"]
    rationale: ...
    events:                       # the index: only these (source, name) pairs reach it
      - {source: cloudtrail.amazonaws.com, names: [StopLogging]}
    prefilter: {}                 # optional cheap checks on the raw record: {path: [values]}
    when: {path: requestParameters.name, exists: true}
    resource: requestParameters.name
    failed_calls: record          # ignore | record | respond (calls with an errorCode)
    threshold: {count: 5, within_minutes: 10, by: [principal.arn]}   # optional
    respond:
      - {responder: restart_trail, mode: dry-run}
      - {responder: notify}
    escalate:                     # repeat offenders
      after: 2
      within_hours: 24
      respond: [{responder: quarantine_principal}]
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mamori.model.finding import Severity


class ResponseMode(StrEnum):
    """What a responder does: only tell people, plan the change, or make it."""

    NOTIFY = "notify"
    DRY_RUN = "dry-run"
    ACT = "act"


class FailedCalls(StrEnum):
    """What a detection does with a call that failed (it has an ``errorCode``, e.g. it was denied).

    ``ignore``: no detection. ``record``: an *attempt* — the detection's attempt twin
    (``<id>_attempt``: "Attempt: <title>", low when the call was denied, informational for
    another error), a finding and a notification, counted toward the principal's repeat
    offences, with no responder that changes anything (nothing happened to undo).
    ``respond``: the detection itself, everything (for detections *about* failures, such
    as bursts of denied calls).
    """

    IGNORE = "ignore"
    RECORD = "record"
    RESPOND = "respond"


class EventKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(pattern=r"^(\*|[a-z0-9.-]+\.amazonaws\.com)$")
    names: list[str] = Field(default_factory=lambda: ["*"], min_length=1)


class ResponderRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    responder: str
    mode: ResponseMode | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class Threshold(BaseModel):
    """Fire when ``count`` matching events with the same ``by`` values fall within the window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = Field(ge=2)
    within_minutes: float = Field(gt=0)
    by: list[str] = Field(default_factory=lambda: ["principal.arn"], min_length=1)
    distinct: str | None = None
    """Count distinct values of this path (a list counts each element) instead of events:
    ``{count: 10, distinct: eventName}`` is ten different APIs, not one API polled ten times."""


class Escalation(BaseModel):
    """Responders for a repeat offender: the ``after``-th offence within the window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after: int = Field(default=2, ge=2)
    within_hours: float = Field(default=24, gt=0)
    counting: list[str] = Field(default_factory=list)
    respond: list[ResponderRef] = Field(min_length=1)


class DetectionSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    title: str = Field(min_length=5)
    severity: Severity
    mitre: list[str] = Field(min_length=1)
    baseline: list[str] = Field(default_factory=list)
    rationale: str = Field(min_length=10)
    remediation: str = Field(min_length=10)
    events: list[EventKey] = Field(min_length=1)
    prefilter: dict[str, list[Any]] = Field(default_factory=dict)
    """Fields of the raw record that must hold one of the values listed; checked before
    anything else, so that a detection indexed under ``*`` stays cheap for other events."""
    prefilter_match: dict[str, str] = Field(default_factory=dict)
    """Fields of the raw record that must match a regular expression (case-insensitive, searched),
    checked with the prefilter: keeps a ``*``-indexed detection (user agents) cheap."""
    when: dict[str, Any] | None = None
    resource: str | None = None
    failed_calls: FailedCalls = FailedCalls.RECORD
    threshold: Threshold | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    respond: list[ResponderRef] = Field(min_length=1)
    escalate: Escalation | None = None
    references: list[str] = Field(default_factory=list)
    attempt_of: str | None = None
    """Set on the attempt twin of a detection (a failed call): the detection it tried to be."""
    sigma: dict[str, Any] | None = None
    """Set for a detection compiled from a Sigma rule: its id, level, tags, path and status."""

    @field_validator("severity", mode="before")
    @classmethod
    def _sev(cls, v: Any) -> Any:
        return Severity.parse(v) if isinstance(v, str) else v

    @field_validator("mitre")
    @classmethod
    def _mitre(cls, v: list[str]) -> list[str]:
        import re

        bad = [t for t in v if not re.fullmatch(r"T\d{4}(\.\d{3})?", t)]
        if bad:
            raise ValueError(f"not a MITRE ATT&CK technique id: {', '.join(bad)} (e.g. T1562.008)")
        return v
