"""The store's machinery: URL, engine, migrations, the write transaction and bulk row helpers.

Which tables exist is up to their owners (``mamori.findings.tables``, ``mamori.hub.tables``,
...), all on :data:`mamori.store.base.metadata`; nothing here imports a subsystem. This
package's ``__init__`` stays light (no SQLAlchemy) so that resolving the URL costs nothing.
"""

from mamori.store.url import DEFAULT_PATH, existing_store, store_url

__all__ = ["DEFAULT_PATH", "existing_store", "store_url"]
