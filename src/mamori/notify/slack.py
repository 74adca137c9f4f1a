"""Slack incoming webhooks with Block Kit: a header, one section per digest group, a context line.

Slack answers 200 ``ok``; 429 (rate limited) and 5xx are
retryable; other 4xx (``invalid_payload``, ``no_service``) are not. The webhook URL is a
secret: it never appears in errors or logs.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import orjson

from mamori.notify.base import NOTIFIERS, DeliveryError, Notification
from mamori.notify.channels import Opener, _default_opener

MAX_BLOCKS = 50
SECTION_MAX = 3000
EMOJI = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:", "low": ":large_blue_circle:"}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def blocks(n: Notification) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": _cut(n.subject, 150), "emoji": True}}]
    groups = list(n.data.get("groups") or [])
    if not groups:
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(n.body or n.subject, SECTION_MAX)}})
    for g in groups[: MAX_BLOCKS - 3]:
        mark = EMOJI.get(str(g.get("severity")), ":white_circle:")
        lines = [f"{mark} *{g['root']}* — *{g['count']:,}* finding{'s' if g['count'] != 1 else ''} ({g['family']})"]
        detail = f"{g['resources']:,} resource{'s' if g['resources'] != 1 else ''} · accounts {', '.join(g['accounts'][:5]) or '-'} · owner {g['owner']}"
        lines.append(detail)
        if g.get("examples"):
            lines.append("e.g. " + ", ".join(g["examples"][:5]))
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut("\n".join(lines), SECTION_MAX)}})
    if len(groups) > MAX_BLOCKS - 3:
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": f"… and {len(groups) - (MAX_BLOCKS - 3)} more groups"}})
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"mamori · {n.severity.value} · `mamori findings list`"}]})
    return out


@NOTIFIERS.register("slack")
class SlackNotifier:
    """POST Block Kit JSON to a Slack incoming webhook (``https://hooks.slack.com/services/...``)."""

    name = "slack"

    def __init__(self, url: str, timeout: float = 10.0, opener: Opener | None = None, **_: Any) -> None:
        self.url = url
        self.timeout = timeout
        self.opener = opener or _default_opener

    @staticmethod
    def payload(n: Notification) -> dict[str, Any]:
        return {"text": _cut(f"{n.subject}\n{n.body}", 3000), "blocks": blocks(n)}

    def send(self, notification: Notification) -> None:
        body = orjson.dumps(self.payload(notification))
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        try:
            resp = self.opener(req, self.timeout)
            status = getattr(resp, "status", 200)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"slack answered {exc.code}", retryable=exc.code >= 500 or exc.code == 429) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(f"slack unreachable: {type(reason).__name__}") from None
        if status >= 300:
            raise DeliveryError(f"slack answered {status}", retryable=status >= 500 or status == 429)
