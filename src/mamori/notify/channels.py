"""Built-in channels: an in-memory outbox, a log line, and a signed generic webhook."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import orjson

from mamori.notify.base import NOTIFIERS, DeliveryError, Notification

log = logging.getLogger("mamori.notify")


@NOTIFIERS.register("memory")
class MemoryNotifier:
    """Keeps what it was sent (tests, dry runs)."""

    name = "memory"

    def __init__(self, **_: Any) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


@NOTIFIERS.register("log")
class LogNotifier:
    """One log line per notification (stderr by default)."""

    name = "log"

    def __init__(self, **_: Any) -> None:
        pass

    def send(self, notification: Notification) -> None:
        # CR/LF from a finding would forge further log lines: keep one notification on one line
        subject, body = (v.replace("\r", "\\r").replace("\n", "\\n") for v in (notification.subject, notification.body))
        log.warning("[%s] %s — %s", notification.severity.value, subject, body)


Opener = Callable[[urllib.request.Request, float], Any]


def _default_opener(req: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(req, timeout=timeout)


@NOTIFIERS.register("webhook")
class WebhookNotifier:
    """POST the notification as JSON; signed with HMAC-SHA256 when a secret is set.

    Headers: ``X-Mamori-Timestamp`` (unix seconds) and ``X-Mamori-Signature``
    (``sha256=<hex of HMAC(secret, timestamp + "." + body)>``), so a receiver can verify
    origin and reject replays. The opener is injectable for tests.
    """

    name = "webhook"

    def __init__(self, url: str, secret: str | None = None, timeout: float = 10.0, opener: Opener | None = None, **_: Any) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.opener = opener or _default_opener

    @staticmethod
    def sign(secret: str, timestamp: str, body: bytes) -> str:
        mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
        return "sha256=" + mac.hexdigest()

    def send(self, notification: Notification) -> None:
        body = orjson.dumps(notification.to_dict())
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": "mamori", "X-Mamori-Timestamp": ts}
        if self.secret:
            headers["X-Mamori-Signature"] = self.sign(self.secret, ts, body)
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            resp = self.opener(req, self.timeout)
            status = getattr(resp, "status", 200)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"webhook answered {exc.code}", retryable=exc.code >= 500 or exc.code == 429) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"webhook unreachable: {exc}") from exc
        if status >= 300:
            raise DeliveryError(f"webhook answered {status}", retryable=status >= 500 or status == 429)
