"""What ``mamori serve`` runs with: the store, the config, the cookie key, where it listens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mamori.config import Config


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServerSettings:
    """``db_url``/``config_path`` as given by ``--db``/``--config`` (None: the usual lookup).

    ``config`` is a config already loaded (tests); ``secret_key`` signs session cookies (None:
    ``$MAMORI_SECRET_KEY`` or the name in ``server.secret_key_env``, else a key file beside a
    SQLite store, else a random key per process). ``cookie_secure`` None = the config's.
    ``schedules`` False turns the scheduled jobs off (``mamori serve --no-schedules``).
    """

    db_url: str | None = None
    config_path: str | None = None
    config: Config | None = None
    secret_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    cookie_secure: bool | None = None
    schedules: bool = True
    schedule_poll_s: float = 5.0  # how often the scheduler looks for due jobs
    clock: Callable[[], datetime] = field(default=_utcnow)
