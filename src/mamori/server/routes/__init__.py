"""The server's routes: one APIRouter per area; :func:`mamori.server.app.create_app` includes every router of ROUTERS.

    health.py     GET /healthz (no auth)
    me.py         /api/v1/me, the users and tokens admin API
    admin.py      /admin/users (users and tokens, admin)
    findings.py   /findings, /findings/{id}, /api/v1/findings..., /api/v1/suppressions
    overview.py   /, /api/v1/overview, /api/v1/scores
    accounts.py   /accounts, /api/v1/accounts
    standards.py  /standards, /standards/{id}, /api/v1/standards...
    scans.py      /scans, /scans/{id}, /api/v1/scans
    events.py     /events, /api/v1/events
    audit.py      /audit, /api/v1/audit
    teams.py      /teams, /api/v1/gate-runs, /api/v1/teams
    engage.py     /engage, /api/v1/engage/tasks (engagement tasks per team and app)
    access.py     /access, /api/access/... (just-in-time access requests, grants, runbook reviews)

Every route that shows account data takes ``Depends(current_principal)`` and passes
``principal.accounts`` to the service function (tests/server/test_rbac_walk.py walks them all).
"""

from __future__ import annotations

from fastapi import APIRouter

from mamori.server.routes import (
    access,
    accounts,
    admin,
    audit,
    engage,
    events,
    findings,
    health,
    me,
    overview,
    scans,
    standards,
    teams,
)

ROUTERS: list[APIRouter] = [
    health.router,
    me.router,
    admin.router,
    overview.router,
    findings.router,
    accounts.router,
    standards.router,
    scans.router,
    events.router,
    audit.router,
    teams.router,
    engage.router,
    access.router,
]

__all__ = ["ROUTERS"]
