"""``mamori serve``: the web dashboard and REST API over the store (docs/server.md).

A thin face like the CLI: routes parse the request, call a service function, render.

    app.py          create_app(settings) -> FastAPI
    settings.py     ServerSettings
    deps.py         get_store, get_config, current_principal, require(role)
    templating.py   the Jinja2 environment (autoescape on) and render()
    security.py     security headers + CSP, CSRF check, login rate limit, secret key
    auth/           /login, /logout, OpenID Connect
    routes/         one APIRouter per area (ROUTERS)
    schedules.py    scheduled jobs run inside the server (scan, digests, key enforcement, expiry)

Nothing heavy at import: FastAPI is imported by the modules above, never by ``mamori --help``.
"""
