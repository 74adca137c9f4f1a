"""Messages to approvers: a request waiting for them, a break-glass grant to review."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mamori.access.model import AccessRequest, Kind
from mamori.hub.dispatch import notifiers_named
from mamori.model.finding import Severity
from mamori.notify import Notification, Notifier
from mamori.notify.base import send_to_all

LinkMaker = Callable[[str, str], str]  # (request id, approver) -> a signed one-click approval URL


def message(req: AccessRequest, links: LinkMaker | None = None) -> Notification:
    why = f"ticket {req.ticket}" if req.ticket else f"finding {req.finding_id}"
    hours = req.duration_s / 3600
    what = f"{req.permission_set} in {', '.join(req.accounts)} for {hours:g}h ({why}): {req.reason}"
    if req.kind is Kind.BREAK_GLASS:
        subject = f"BREAK-GLASS: {req.requester} took {req.permission_set} in {', '.join(req.accounts)}"
        body = (f"{req.requester} used break-glass access {req.id}: {what}. Access was granted at once; "
                f"review it and close the review: mamori access review-close {req.id} --note '...'")  # fmt: skip
        severity = Severity.HIGH
    else:
        subject = f"Access request {req.id}: {req.requester} asks for {req.permission_set}"
        body = f"{req.requester} asks for {what}. Approve: mamori access approve {req.id}"
        severity = Severity.MEDIUM
    data: dict[str, object] = {"request": req.to_dict()}
    if links is not None:
        urls = {a: links(req.id, a) for a in req.approvers if a != req.requester}
        data["approve_links"] = urls
        body += "\n" + "\n".join(f"{a}: {u}" for a, u in urls.items())
    return Notification(subject=subject, body=body, severity=severity, kind=f"access.{req.kind.value}",
                        dedup_key=f"access:{req.id}", about=(req.id,), recipients=tuple(req.approvers), data=data)  # fmt: skip


def send(n: Notification, notifiers: Sequence[Notifier]) -> tuple[bool, str]:
    """Send on every channel; ok when at least one accepted it."""
    return send_to_all(n, notifiers)


def build(names: Sequence[str], channels: Mapping[str, Any]) -> list[Notifier]:
    """``log``/``memory`` or channels named under ``notifications.channels``; an unknown name is a ConfigError."""
    return notifiers_named(names, channels, where="access.notify")
