"""`mamori serve`: the web dashboard and REST API (docs/server.md)."""

from __future__ import annotations

import click

from mamori.cli.common import config_option, db_option, get_config


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@db_option
@config_option
@click.option("--no-schedules", is_flag=True, help="Do not run the schedules of mamori.yaml in this process.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="Reverse proxies trusted for X-Forwarded-For/-Proto (comma-separated, or *).")  # fmt: skip
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)  # fmt: skip
def serve(host: str, port: int, db: str | None, config_path: str | None, no_schedules: bool,
          forwarded_allow_ips: str, log_level: str) -> None:  # fmt: skip
    """The web dashboard and REST API: findings, standards, scans, events, teams, audit.

    \b
      mamori demo                                          # a store to look at
      printf '%s\\n' "$PW" | mamori users add alice --role admin --password-stdin
      mamori serve                                         # http://127.0.0.1:8080
      mamori serve --host 0.0.0.0 --db postgresql://mamori@db/mamori --config /etc/mamori.yaml

    In production run it behind a reverse proxy with TLS and set server.cookie_secure and
    $MAMORI_SECRET_KEY (docs/server.md). The schedules of mamori.yaml (scans, digests, key
    enforcement, suppression expiry) run inside this process unless --no-schedules.
    """
    import logging

    import uvicorn

    from mamori.server.app import create_app
    from mamori.server.settings import ServerSettings
    from mamori.users.service import UserStore

    cfg = get_config(config_path)
    settings = ServerSettings(db_url=db, config_path=config_path, config=cfg, host=host, port=port,
                              schedules=not no_schedules)  # fmt: skip
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    if not UserStore(app.state.store.engine).users() and cfg.server.oidc is None:
        click.secho("no users yet: add one with `mamori users add NAME --role admin --password-stdin`", fg="yellow", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"mamori serve: http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False)  # fmt: skip
