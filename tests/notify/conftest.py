"""A local HTTP server standing in for Slack and webhooks, and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Http:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 when empty


@pytest.fixture
def http() -> Iterator[Http]:
    state = Http("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            code = state.statuses.pop(0) if state.statuses else 200
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"ok" if code == 200 else b"invalid_payload")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_port}/services/T000/B000/XXXX"
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Smtp:
    port: int
    messages: list[Any] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    state = Smtp(0)

    class Handler:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
            if address in state.refuse:
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            state.messages.append(envelope)
            return "250 Message accepted"

    with socket.socket() as s:  # aiosmtpd checks readiness by connecting to the port, so it must be known
        s.bind(("127.0.0.1", 0))
        state.port = s.getsockname()[1]
    ctl = Controller(Handler(), hostname="127.0.0.1", port=state.port)
    ctl.start()
    try:
        yield state
    finally:
        ctl.stop()
