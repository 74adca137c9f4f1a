"""Alembic environment: mamori passes its own connection in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from mamori.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - mamori always passes one
    raise RuntimeError("mamori's migrations run through mamori.store.db.migrate()")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
