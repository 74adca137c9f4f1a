"""Slack incoming webhooks with Block Kit: a header, one section per digest group, a context line.

Slack answers 200 ``ok``; 429 (rate limited) and 5xx are
retryable; other 4xx (``invalid_payload``, ``no_service``) are not. The webhook URL is a
secret: it never appears in errors or logs.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import orjson

from mamori.notify.base import NOTIFIERS, DeliveryError, Notification
from mamori.notify.channels import Opener, _default_opener

MAX_BLOCKS = 50
SECTION_MAX = 3000
EMOJI = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:", "low": ":large_blue_circle:"}


_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: object) -> str:
    """Text from findings as Slack shows it literally: ``&``, ``<`` and ``>`` as entities.

    Slack reads ``<!channel>``, ``<@U123>`` and ``<https://x|label>`` in message text as
    mentions and links; a finding title is attacker-controlled, so it must never reach
    Slack unescaped. mamori's own markup (``*bold*``, emoji) is added around escaped text.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, n: int) -> str:
    """Cut already escaped text to ``n`` characters, never through an entity."""
    if len(text) <= n:
        return text
    return _PARTIAL_ENTITY.sub("", text[: n - 1]) + "…"


def blocks(n: Notification) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": _cut(escape(n.subject), 150), "emoji": True}}]
    groups = list(n.data.get("groups") or [])
    if not groups:
        out.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(escape(n.body or n.subject), SECTION_MAX)}})
    for g in groups[: MAX_BLOCKS - 3]:
        mark = EMOJI.get(str(g.get("severity")), ":white_circle:")
        count, resources = int(g["count"]), int(g["resources"])
        lines = [f"{mark} *{escape(g['root'])}* — *{count:,}* finding{'s' if count != 1 else ''} ({escape(g['family'])})"]
        accounts = ", ".join(escape(a) for a in list(g["accounts"])[:5]) or "-"
        lines.append(f"{resources:,} resource{'s' if resources != 1 else ''} · accounts {accounts} · owner {escape(g['owner'])}")
        if g.get("examples"):
            lines.append("e.g. " + ", ".join(escape(e) for e in list(g["examples"])[:5]))
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
        return {"text": _cut(escape(f"{n.subject}\n{n.body}"), 3000), "blocks": blocks(n)}

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
