"""Alembic environment: mamori passes its own connection in ``config.attributes``.

Upgrades run the explicit operations of ``versions/`` and need no table objects. Comparing
the models with a database (autogenerate) needs the complete metadata: the caller passes
:data:`mamori.schema.metadata` as ``config.attributes["target_metadata"]``, so the store
never imports the subsystems that own the tables.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - mamori always passes one
    raise RuntimeError("mamori's migrations run through mamori.store.db.migrate()")

target_metadata = context.config.attributes.get("target_metadata")
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
