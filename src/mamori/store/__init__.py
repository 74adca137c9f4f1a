"""The findings store: scans, findings with their lifecycle, history and scores."""

from mamori.store.db import make_engine, migrate, resolve_url
from mamori.store.repo import FindingFilter, ScanRecord, ScanSummary, Store

__all__ = ["FindingFilter", "ScanRecord", "ScanSummary", "Store", "make_engine", "migrate", "resolve_url"]
