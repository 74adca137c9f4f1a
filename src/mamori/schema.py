"""Every table of the store, on one MetaData: each owner's table module, imported so that ``metadata`` is complete.

Tables live next to the code that owns them; this module only gathers them, for the
migrations' autogenerate and the test that compares the migrated schema with the models.
A new subsystem that keeps tables adds its module here and a migration in
``mamori/store/migrations/versions`` (revisions form one chain; ids are ``NNNN_name``).
"""

from mamori.access import tables as access_tables  # access_requests, _grants, _runbooks, _runbook_runs
from mamori.audit import tables as audit_tables  # audit_log
from mamori.engage import tables as engage_tables  # engage_engagements, _app_accounts, _tasks, _task_history
from mamori.events import tables as events_tables  # event_detections, event_responses, event_checkpoints
from mamori.findings import tables as findings_tables  # scans, findings, history, scores, suppressions, meta
from mamori.fleetstore import tables as fleet_tables  # fleet_scans, fleet_shards
from mamori.gate.deps import tables as gate_tables  # gate_runs, gate_vulns
from mamori.guardrails import tables as guardrails_tables  # guardrail_deployments
from mamori.hub import tables as hub_tables  # hub_deliveries
from mamori.keys import tables as keys_tables  # key_notices
from mamori.remediate import tables as remediate_tables  # remediation_plans, remediation_changes
from mamori.standards import (
    tables as standards_tables,  # std_scan_rules, std_rule_counts, std_coverage, std_attestations
)
from mamori.store.base import metadata
from mamori.users import tables as users_tables  # users, api_tokens

OWNERS = (access_tables, audit_tables, engage_tables, events_tables, findings_tables, fleet_tables, gate_tables, guardrails_tables, hub_tables, keys_tables,
          remediate_tables, standards_tables, users_tables)

__all__ = ["OWNERS", "metadata"]
