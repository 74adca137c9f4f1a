"""The notifier interface and the built-in channels (webhook against a local HTTP server)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

import mamori.notify.channels  # noqa: F401  (registers the channels)
from mamori.model import Severity
from mamori.notify import NOTIFIERS, DeliveryError, Notification
from mamori.notify.channels import WebhookNotifier


class _Handler(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("H", (_Handler,), {"received": [], "status": 200})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/hook", handler
    finally:
        httpd.shutdown()


def test_webhook_posts_signed_json(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    n = Notification("Key disabled", "AKIA… of alice disabled", Severity.HIGH, kind="key", about=("f-1",))
    WebhookNotifier(url, secret="s3cret").send(n)
    [(headers, body)] = handler.received
    assert json.loads(body)["subject"] == "Key disabled"
    expected = WebhookNotifier.sign("s3cret", headers["X-Mamori-Timestamp"], body)
    assert headers["X-Mamori-Signature"] == expected


def test_webhook_failures_raise_delivery_error(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.status = 503
    with pytest.raises(DeliveryError) as exc:
        WebhookNotifier(url).send(Notification("s", "b"))
    assert exc.value.retryable
    handler.status = 400
    with pytest.raises(DeliveryError) as exc:
        WebhookNotifier(url).send(Notification("s", "b"))
    assert not exc.value.retryable
    with pytest.raises(DeliveryError, match="unreachable"):
        WebhookNotifier("http://127.0.0.1:1/x", timeout=1).send(Notification("s", "b"))


def test_registry_builds_channels() -> None:
    mem = NOTIFIERS.get("memory")()
    mem.send(Notification("s", "b"))
    assert len(mem.sent) == 1
    assert {"memory", "log", "webhook"} <= set(NOTIFIERS)
