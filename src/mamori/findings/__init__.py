"""The findings: scans, findings with their lifecycle, history, scores, suppressions and metadata.

Owns its tables (:mod:`mamori.findings.tables`) and queries; runs on :mod:`mamori.store`.
"""

from mamori.findings.lifecycle import ScanSummary
from mamori.findings.store import FindingFilter, ScanRecord, Store

__all__ = ["FindingFilter", "ScanRecord", "ScanSummary", "Store"]
