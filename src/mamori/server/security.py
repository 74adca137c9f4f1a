"""Security headers and CSP, CSRF, the login rate limit and the cookie-signing key.

- Every response carries the CSP below (no inline script or style, nothing from another
  origin), ``X-Content-Type-Options``, ``X-Frame-Options``, ``Referrer-Policy`` and
  ``Cross-Origin-Opener-Policy``; pages are ``Cache-Control: no-store``.
- CSRF: a random token lives in the signed session (also before login); every request
  that is not GET/HEAD/OPTIONS must carry it as the form field ``csrf_token`` or the header
  ``X-CSRF-Token`` (HTMX sends the header, see static/mamori.js). Requests authenticated by
  a Bearer token carry no cookie a third site could ride on, so they are exempt.
- Login: after ``login_attempts`` failures for one username from one address within
  ``login_window_s`` seconds, that pair gets 429 until the window has passed.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mamori.store.url import sqlite_path, store_url

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse a state-changing request without the session's CSRF token (403)."""
    if request.method in SAFE_METHODS or bearer(request) is not None:
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token; reload the page and try again")


class LoginLimiter:
    """Failed logins per (username, address) in a sliding window; thread-safe, in memory."""

    def __init__(self, attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def blocked(self, username: str, address: str) -> float:
        """Seconds until this pair may try again (0: it may)."""
        key = (username.lower()[:200], address)
        with self._lock:
            now = self.clock()
            q = self._recent(key, now)
            if len(q) < self.attempts:
                if not q:
                    self._failures.pop(key, None)
                return 0.0
            return max(1.0, q[0] + self.window_s - now)

    def failed(self, username: str, address: str) -> None:
        key = (username.lower()[:200], address)
        with self._lock:
            now = self.clock()
            self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # bounded: forget the oldest pairs under a flood
                for k in list(self._failures)[:10_000]:
                    del self._failures[k]

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower()[:200], address), None)


def secret_key(explicit: str | None, env_name: str, db_url: str | None, configured_db: str | None) -> tuple[str, str]:
    """The key that signs session cookies, and where it came from.

    ``--secret-key``/settings, else the environment variable, else a key file ``server-secret``
    beside a SQLite store (created 0600 on first start, so sessions survive a restart), else
    a random key for this process (PostgreSQL without a key: sessions end at restart).
    """
    if explicit:
        return explicit, "settings"
    from_env = os.environ.get(env_name)
    if from_env:
        return from_env, f"${env_name}"
    path = sqlite_path(store_url(db_url, configured_db))
    if path is not None and path.parent.is_dir():
        keyfile = Path(path.parent) / "server-secret"
        try:
            fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return keyfile.read_text().strip(), str(keyfile)
    return secrets.token_urlsafe(48), "random (set $" + env_name + " to keep sessions across restarts)"
