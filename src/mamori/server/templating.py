"""Server-rendered pages: one Jinja2 environment with autoescape on for every template.

``render(request, "findings.html", **ctx)`` adds ``principal``, ``csrf_token``, ``nav``,
``now``, ``partial`` (True for an HTMX request: a page template can then render only its
partial) and ``request``. Imported findings carry attacker-controlled titles: never mark
data ``|safe``; SVG is built with escaping (:mod:`mamori.report.svg`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mamori.server.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"

# (label, path, minimum role or None); every page of the dashboard, in the order of the nav bar
NAV: list[tuple[str, str, str | None]] = [
    ("Overview", "/", None),
    ("Findings", "/findings", None),
    ("Accounts", "/accounts", None),
    ("Standards", "/standards", None),
    ("Scans", "/scans", None),
    ("Events", "/events", None),
    ("Teams", "/teams", None),
    ("Engage", "/engage", None),
    ("Access", "/access", None),
    ("Audit log", "/audit", None),
    ("Users", "/admin/users", "admin"),
]


def _fmt_time(value: datetime | None, spec: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(spec) if value is not None else ""


env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["time"] = _fmt_time


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request", "").lower() == "true"


def context(request: Request, **ctx: Any) -> dict[str, Any]:
    principal = getattr(request.state, "principal", None)
    nav = [
        (label, path, (path == "/" and request.url.path == "/") or (path != "/" and request.url.path.startswith(path)))
        for label, path, role in NAV
        if role is None or (principal is not None and principal.at_least(role))
    ]
    base: dict[str, Any] = {
        "request": request,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "nav": nav,
        "now": request.app.state.settings.clock(),
        "partial": is_htmx(request),
    }
    base.update(ctx)
    return base


def render(request: Request, name: str, *, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a template (autoescaped) with the common context."""
    html = env.get_template(name).render(context(request, **ctx))
    return HTMLResponse(html, status_code=status_code)
