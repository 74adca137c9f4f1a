"""create_app(settings) -> FastAPI: the store, the config, middleware, every router, error pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from mamori import __version__
from mamori.config import Config
from mamori.findings import Store
from mamori.server import auth
from mamori.server.deps import LoginRequired
from mamori.server.routes import ROUTERS
from mamori.server.security import LoginLimiter, SecurityHeaders, csrf_protect, secret_key
from mamori.server.settings import ServerSettings
from mamori.server.templating import render
from mamori.users.service import UserStore

log = logging.getLogger("mamori.server")
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "mamori_session"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "text/html")


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The app over the store of ``settings`` (opened and migrated here, closed at shutdown)."""
    settings = settings or ServerSettings()
    if settings.config is not None:
        config: Config = settings.config
    else:
        from mamori.rules.refs import load_checked_config

        config = load_checked_config(settings.config_path)
    store = Store.open(settings.db_url, config.db)
    key, key_source = secret_key(settings.secret_key, config.server.secret_key_env, settings.db_url, config.db)
    cookie_secure = config.server.cookie_secure if settings.cookie_secure is None else settings.cookie_secure

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = None
        if settings.schedules:
            from mamori.server.schedules import start_schedules

            runner = start_schedules(app)
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()
            store.close()

    app = FastAPI(
        title="mamori",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not on an offline, CSP-locked site
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.config = config
    app.state.store = store
    app.state.users = UserStore(store.engine)
    app.state.limiter = LoginLimiter(config.server.login_attempts, config.server.login_window_s)
    app.state.secret_source = key_source
    app.state.secret_key = key  # also signs one-click approval links (mamori.access.links)
    log.info("session key from %s", key_source)

    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=SESSION_COOKIE,
        max_age=int(config.server.session_hours * 3600),
        same_site="lax",
        https_only=cookie_secure,
    )
    app.add_middleware(SecurityHeaders)  # outermost: every response, errors included, gets the headers

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if _wants_html(request) and exc.status_code in (400, 403, 404, 405, 429):
            return render(request, "error.html", status_code=exc.status_code, status=exc.status_code, detail=exc.detail)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        detail = f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}"
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    return app


@dataclass(frozen=True)
class HttpRoute:
    path: str
    methods: frozenset[str]
    name: str


def http_routes(app: FastAPI) -> list[HttpRoute]:
    """Every HTTP route of the app with its full path (newer FastAPI keeps included routers nested in ``app.routes``)."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.164
    except ImportError:  # pragma: no cover - older FastAPI flattens included routers into app.routes
        found = [(getattr(r, "path", None), getattr(r, "methods", None), getattr(r, "name", "")) for r in app.routes]
    else:
        found = [(c.path, c.methods, c.name or "") for c in iter_route_contexts(app.routes)]
    return [HttpRoute(p, frozenset(m), n) for p, m, n in found if isinstance(p, str) and m]
