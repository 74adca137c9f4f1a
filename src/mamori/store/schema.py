"""Every table module of the store, imported so that ``metadata`` is complete.

A new subsystem that keeps tables adds its module here and a migration in
``migrations/versions`` (revisions form one chain; ids are ``NNNN_name``).
"""

from mamori.store import (
    tables_events,  # noqa: F401 - events: event_detections, event_responses, event_checkpoints
    tables_gate,  # noqa: F401 - dependency gate: gate_runs, gate_vulns
    tables_hub,  # noqa: F401 - findings hub: suppressions, finding meta, deliveries
    tables_remediate,  # noqa: F401 - remediation plans/changes, key notices, audit log
    tables_standards,  # noqa: F401 - standards: per-scan rule counts and coverage, attestations
)
from mamori.store.tables import metadata

__all__ = ["metadata"]
