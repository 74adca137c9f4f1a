"""The notifier interface.

A :class:`Notification` is channel-neutral (a subject, a text body, a severity, the
finding ids or event ids it is about, a stable ``dedup_key``). A :class:`Notifier`
delivers it and raises :class:`DeliveryError` when the channel refuses or is
unreachable; callers decide whether to retry and record the outcome. Channels are
registered in ``NOTIFIERS`` by name and built from a config mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from mamori.errors import MamoriError
from mamori.model.finding import Severity
from mamori.registry import Registry


class DeliveryError(MamoriError):
    """A channel did not accept a notification (it may be retried)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Notification:
    subject: str
    body: str
    severity: Severity = Severity.INFORMATIONAL
    kind: str = "generic"
    dedup_key: str = ""
    about: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "body": self.body,
            "severity": self.severity.value,
            "kind": self.kind,
            "dedup_key": self.dedup_key,
            "about": list(self.about),
            "recipients": list(self.recipients),
            "data": dict(self.data),
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Notification:
        """The inverse of :meth:`to_dict` (deliveries are stored as dicts and retried from them)."""
        return cls(
            subject=d["subject"],
            body=d.get("body", ""),
            severity=Severity(d.get("severity", "informational")),
            kind=d.get("kind", "generic"),
            dedup_key=d.get("dedup_key", ""),
            about=tuple(d.get("about") or ()),
            recipients=tuple(d.get("recipients") or ()),
            data=dict(d.get("data") or {}),
            created_at=datetime.fromisoformat(d["created_at"]) if d.get("created_at") else datetime.now(UTC),
        )


class Notifier(Protocol):
    name: str

    def send(self, notification: Notification) -> None:
        """Deliver, or raise DeliveryError."""


def send_to_all(notification: Notification, notifiers: Sequence[Notifier]) -> tuple[bool, str]:
    """Send on every channel; ok when at least one accepted it, and one "name: sent|failed (why)" per channel."""
    results, ok = [], False
    for ch in notifiers:
        try:
            ch.send(notification)
            ok = True
            results.append(f"{ch.name}: sent")
        except DeliveryError as exc:
            results.append(f"{ch.name}: failed ({exc})")
    return ok, "; ".join(results) or "no channel configured"


NotifierFactory = Any  # a callable (**config) -> Notifier
NOTIFIERS: Registry[NotifierFactory] = Registry("notifier")
