"""The ``notify`` responder: tell people through the configured channels (mamori.notify)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mamori.events.responders.base import Intent, Responder, register
from mamori.notify import DeliveryError, Notification, Notifier

if TYPE_CHECKING:
    from mamori.events.matcher import Match


def notification_for(match: Match, offence: int = 0, lines: list[str] | None = None, recipients: tuple[str, ...] = ()) -> Notification:
    d = match.detection.spec
    p = match.principal
    rec = match.record
    head = f"{d.title}: {rec.get('eventName')} by {p.arn}"
    body = [
        f"detection {d.id} ({', '.join(d.mitre)}), severity {d.severity.value}",
        f"principal {p.arn} ({p.type.value}){' key ' + p.access_key_id if p.access_key_id else ''}",
        f"event {match.event_id} {rec.get('eventSource')}:{rec.get('eventName')} at {rec.get('eventTime')} "
        f"in {match.account}/{match.region} from {rec.get('sourceIPAddress', '?')}",
    ]
    if match.resource:
        body.append(f"resource {match.resource}")
    if match.failed:
        body.append(f"the call failed ({rec.get('errorCode')}): an attempt")
    if offence > 1:
        body.append(f"repeat offence: #{offence} by this principal within the window")
    if len(match.event_ids) > 1:
        body.append(f"{len(match.event_ids)} events within the window")
    body.extend(lines or ())
    return Notification(
        subject=head,
        body="\n".join(body),
        severity=d.severity,
        kind="event-detection",
        dedup_key=f"{d.id}:{p.arn}:{match.resource}",
        about=match.event_ids,
        recipients=recipients,
        data={"detection": d.id, "principal": p.to_dict(), "event_id": match.event_id, "finding_id": match.finding_id},
    )


def send(notifiers: Sequence[Notifier], notification: Notification) -> list[str]:
    """Deliver to every channel; returns the channels' errors (empty: all sent)."""
    errors: list[str] = []
    for ch in notifiers:
        try:
            ch.send(notification)
        except DeliveryError as exc:
            errors.append(f"{getattr(ch, 'name', ch)}: {exc}")
    return errors


@register
class Notify(Responder):
    """Send a notification (params: ``recipients``, e.g. the admins' addresses). Changes nothing."""

    name = "notify"
    description = "a notification through every configured channel (log, webhook, ...)"

    def decide(self, match: Match, params: Mapping[str, Any]) -> Intent:
        return Intent(self.name, f"notify: {match.detection.spec.title}", match.account, match.region)
