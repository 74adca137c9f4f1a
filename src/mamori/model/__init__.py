"""Typed domain values: resources, inventories, results, findings. No I/O."""

from mamori.model.finding import Finding, FindingStatus, Result, ResultStatus, Severity, finding_id
from mamori.model.resource import GLOBAL, Coverage, Inventory, Resource, ScanError

__all__ = [
    "GLOBAL",
    "Coverage",
    "Finding",
    "FindingStatus",
    "Inventory",
    "Resource",
    "Result",
    "ResultStatus",
    "ScanError",
    "Severity",
    "finding_id",
]
