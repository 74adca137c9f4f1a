"""Shared fixtures: stores on SQLite and PostgreSQL, moto, fake credentials."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Connection, create_engine, inspect, text

from mamori.findings import Store

PG_URL = os.environ.get("MAMORI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Property tests (docs/hostile-input.md): a short run by default so `make test` stays fast;
# HYPOTHESIS_PROFILE=fuzz for the long run (CI-optional, see benchmarks).
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("MAMORI_FUZZ_EXAMPLES", "5000")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True, scope="session")
def _one_botocore_loader() -> Iterator[None]:
    """Every botocore session of the run shares the product's one data loader (as ``new_session``
    does in mamori): tests make a ``boto3.Session()`` per test, and each one parsed the JSON
    service models again (EC2's is megabytes) -- 40% of the CPU time of tests/collect."""
    import botocore.session

    from mamori.collect.aws.session import shared_loader

    loader = shared_loader()
    mp = pytest.MonkeyPatch()
    mp.setattr(
        botocore.session.Session, "_register_data_loader",
        lambda self: self._components.register_component("data_loader", loader),
    )  # fmt: skip
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test ever reaches real AWS: fake credentials, no profile, an empty config."""
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "MAMORI_DB"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    cfg = tmp_path_factory.getbasetemp() / "aws-config"
    cfg.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(cfg))


def _schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _reusable(conn: Connection, schema: str) -> bool:
    """Empty ``schema`` for the next test if it is exactly the migrated schema (the tables of
    mamori.schema at the head revisions); False when a test changed it (it is dropped then)."""
    from mamori.schema import metadata
    from mamori.store.db import head_revisions

    tables = set(inspect(conn).get_table_names(schema=schema))
    if tables != {*metadata.tables, "alembic_version"}:
        return False
    revisions = {r for (r,) in conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version'))}
    if revisions != head_revisions():
        return False
    # DELETE (foreign-key triggers off for this transaction) and restarted sequences: the same empty
    # schema as a new one; TRUNCATE of 36 tables costs ~1 s (new files), these deletes ~50 ms.
    conn.execute(text("SET LOCAL lock_timeout = '10s'"))
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    for table in sorted(tables - {"alembic_version"}):
        conn.execute(text(f'DELETE FROM "{schema}"."{table}"'))
    sequences = conn.execute(
        text("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE c.relkind = 'S' AND n.nspname = :s"), {"s": schema},
    )  # fmt: skip
    for (seq,) in sequences.all():
        conn.execute(text(f'ALTER SEQUENCE "{schema}"."{seq}" RESTART'))
    return True


@pytest.fixture(scope="session")
def _pg_schemas() -> Iterator[list[str]]:
    """This process's migrated, emptied PostgreSQL schemas, handed to the next test that asks.

    Migrating a new schema (17 migrations) and dropping it cost ~1-3 s of wall time per test;
    emptying a migrated one ~0.05-0.4 s. Dropped at the end of the session."""
    free: list[str] = []
    yield free
    if free:
        admin = create_engine(PG_URL)
        try:
            with admin.begin() as conn:
                for schema in free:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        finally:
            admin.dispose()


@pytest.fixture
def pg_url(_pg_schemas: list[str]) -> Iterator[str]:
    """A PostgreSQL URL on a schema of its own; fails (never skips) without a server.

    The schema is new and empty, or one an earlier test of this process left exactly at the
    migrated head and that was emptied since (``_pg_schemas``): either way no other test sees
    it while this one runs, it holds no rows, its sequences start at 1, and ``Store.open`` finds it at the head revision
    or migrates it there. A schema a test changed (tables, revision) is dropped, never reused."""
    admin = create_engine(PG_URL)
    if _pg_schemas:
        schema = _pg_schemas.pop()
    else:
        schema = f"mamori_t_{uuid.uuid4().hex[:12]}"
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # pragma: no cover - the environment, not the code
            pytest.fail(f"PostgreSQL at {PG_URL} is required for the store tests: {exc}")
    try:
        yield _schema_url(schema)
    finally:
        try:
            with admin.begin() as conn:
                reuse = _reusable(conn, schema)
        except Exception:  # a schema in any doubt is dropped, not reused
            reuse = False
        if reuse:
            _pg_schemas.append(schema)
        else:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/mamori.db"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url)
    try:
        yield s
    finally:
        s.close()


# Tests that take 20-100 s of CPU each (a seeded demo estate, moto server and CLI subprocesses,
# Celery workers): started first so that, under `pytest -n 2`, one of them does not begin last
# and leave the other worker idle until it ends (longest first balances the two workers).
LONG_FIRST = (
    "tests/e2e/",
    "tests/fleet/test_fleet_e2e.py",
    "tests/fleet/test_fleet_org.py",
    "tests/demo/",
    "tests/cli/test_cli_demo.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the long tests to the front, each file's tests staying together and in order."""
    root = config.rootpath

    def long(item: pytest.Item) -> bool:
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        return path.startswith(LONG_FIRST)

    items[:] = [i for i in items if long(i)] + [i for i in items if not long(i)]
