"""CloudTrail log analytics: an embedded DuckDB store, streaming ingest, incident queries."""

from mamori.logs.store import DEFAULT_PATH, IngestReport, LogStore, LogStoreError

__all__ = ["DEFAULT_PATH", "IngestReport", "LogStore", "LogStoreError"]
