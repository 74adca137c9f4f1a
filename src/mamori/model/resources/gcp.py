"""Google Cloud resources read from Cloud Asset Inventory exports (see docs/resources/gcp.md, docs/gcp.md).

The scope of a GCP resource is its project (the Resource's ``account`` is the project id,
its ``region`` the asset's location or ``global``); ``ancestors`` keeps the folder and
organization chain. IAM properties are ``None`` when the export held no IAM_POLICY content
at all (rules that need them are UNKNOWN, never PASS); ``inherited_*`` are ``None`` when a
folder or organization above the resource was not in the export and nothing found so far
decides the rule.
"""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Entry, Props, resource_type

ORGANIZATION = "gcp.resourcemanager.organization"
PROJECT = "gcp.resourcemanager.project"
BUCKET = "gcp.storage.bucket"
FIREWALL = "gcp.compute.firewall"
NETWORK = "gcp.compute.network"
SUBNETWORK = "gcp.compute.subnetwork"
INSTANCE = "gcp.compute.instance"
BACKEND_SERVICE = "gcp.compute.backend_service"
SQL_INSTANCE = "gcp.sql.instance"
CRYPTO_KEY = "gcp.kms.crypto_key"
SERVICE_ACCOUNT_KEY = "gcp.iam.service_account_key"
DATASET = "gcp.bigquery.dataset"
TABLE = "gcp.bigquery.table"
MANAGED_ZONE = "gcp.dns.managed_zone"
API_KEY = "gcp.apikeys.key"
DATAPROC_CLUSTER = "gcp.dataproc.cluster"


class Binding(Entry):
    """One IAM binding: a role granted to members, and the asset whose policy holds it."""

    role: str
    members: list[str]
    source: str = ""
    conditional: bool = False


class AuditConfig(Entry):
    """One ``auditConfigs`` entry of an IAM policy: a service and its log types."""

    service: str
    log_types: list[str]
    exempted_members: list[str]
    source: str = ""


class FirewallAllow(Entry):
    """One ``allowed[]`` entry of a firewall rule: protocol (``all``, ``tcp``, ``6``...) and ports (empty = all)."""

    ip_protocol: str
    ports: list[str]


class ServiceAccountUse(Entry):
    """A service account attached to an instance, with its OAuth scopes."""

    email: str
    scopes: list[str]


class LogMetricAlert(Entry):
    """A log-based metric of the project and whether an enabled alert policy watches it."""

    metric: str
    filter: str
    alerted: bool


class GcpProps(Props):
    """What every GCP resource carries: its ancestry and location."""

    ancestors: list[str] | None = None
    location: str | None = None


@resource_type(ORGANIZATION)
class GcpOrganization(GcpProps):
    """`gcp.resourcemanager.organization`"""

    display_name: str | None = None
    essential_contact_categories: list[str] | None = None
    iam_bindings: list[Binding] | None = None


@resource_type(PROJECT)
class GcpProject(GcpProps):
    """`gcp.resourcemanager.project`"""

    project_id: str | None = None
    project_number: str | None = None
    lifecycle_state: str | None = None
    iam_bindings: list[Binding] | None = None
    inherited_iam_bindings: list[Binding] | None = None
    audit_configs: list[AuditConfig] | None = None
    inherited_audit_configs: list[AuditConfig] | None = None
    log_sink_all_entries: bool | None = None
    log_metric_alerts: list[LogMetricAlert] | None = None
    enabled_services: list[str] | None = None
    os_login_enabled: bool | None = None


@resource_type(BUCKET)
class GcpBucket(GcpProps):
    """`gcp.storage.bucket`"""

    uniform_bucket_level_access: bool | None = None
    public_access_prevention: str | None = None
    iam_bindings: list[Binding] | None = None
    inherited_iam_bindings: list[Binding] | None = None
    retention_period_seconds: int | None = None
    retention_locked: bool | None = None
    log_sink_destination: bool | None = None
    versioning_enabled: bool | None = None
    default_kms_key: str | None = None


@resource_type(FIREWALL)
class GcpFirewall(GcpProps):
    """`gcp.compute.firewall`"""

    network: str | None = None
    direction: str | None = None
    disabled: bool | None = None
    source_ranges: list[str] | None = None
    allowed: list[FirewallAllow] | None = None
    logging_enabled: bool | None = None


@resource_type(NETWORK)
class GcpNetwork(GcpProps):
    """`gcp.compute.network`"""

    is_default: bool | None = None
    legacy: bool | None = None
    auto_create_subnetworks: bool | None = None
    dns_logging_enabled: bool | None = None


@resource_type(SUBNETWORK)
class GcpSubnetwork(GcpProps):
    """`gcp.compute.subnetwork`"""

    network: str | None = None
    purpose: str | None = None
    flow_logs_enabled: bool | None = None
    private_google_access: bool | None = None


@resource_type(INSTANCE)
class GcpInstance(GcpProps):
    """`gcp.compute.instance`"""

    status: str | None = None
    gke_node: bool | None = None
    service_accounts: list[ServiceAccountUse] | None = None
    uses_default_service_account: bool | None = None
    default_sa_full_scope: bool | None = None
    block_project_ssh_keys: bool | None = None
    serial_port_enabled: bool | None = None
    can_ip_forward: bool | None = None
    shielded_secure_boot: bool | None = None
    shielded_vtpm: bool | None = None
    shielded_integrity_monitoring: bool | None = None
    public_ips: list[str] | None = None
    confidential_computing: bool | None = None
    disks_csek: bool | None = None


@resource_type(BACKEND_SERVICE)
class GcpBackendService(GcpProps):
    """`gcp.compute.backend_service`"""

    load_balancing_scheme: str | None = None
    logging_enabled: bool | None = None


@resource_type(SQL_INSTANCE)
class GcpSqlInstance(GcpProps):
    """`gcp.sql.instance`"""

    engine: str | None = None
    database_version: str | None = None
    public_ip: bool | None = None
    authorized_networks: list[str] | None = None
    require_ssl: bool | None = None
    ssl_mode: str | None = None
    backup_enabled: bool | None = None
    database_flags: dict[str, Any] | None = None


@resource_type(CRYPTO_KEY)
class GcpCryptoKey(GcpProps):
    """`gcp.kms.crypto_key`"""

    purpose: str | None = None
    rotation_enabled: bool | None = None
    rotation_period_days: float | None = None
    iam_bindings: list[Binding] | None = None


@resource_type(SERVICE_ACCOUNT_KEY)
class GcpServiceAccountKey(GcpProps):
    """`gcp.iam.service_account_key`"""

    service_account_email: str | None = None
    key_type: str | None = None
    valid_after: str | None = None
    disabled: bool | None = None


@resource_type(DATASET)
class GcpDataset(GcpProps):
    """`gcp.bigquery.dataset`"""

    access_public: bool | None = None
    iam_bindings: list[Binding] | None = None
    default_cmek: bool | None = None


@resource_type(TABLE)
class GcpTable(GcpProps):
    """`gcp.bigquery.table`"""

    cmek: bool | None = None


@resource_type(MANAGED_ZONE)
class GcpManagedZone(GcpProps):
    """`gcp.dns.managed_zone`"""

    visibility: str | None = None
    dnssec_state: str | None = None
    key_signing_algorithms: list[str] | None = None
    zone_signing_algorithms: list[str] | None = None


@resource_type(API_KEY)
class GcpApiKey(GcpProps):
    """`gcp.apikeys.key`"""

    created: str | None = None
    api_targets: list[str] | None = None
    application_restricted: bool | None = None


@resource_type(DATAPROC_CLUSTER)
class GcpDataprocCluster(GcpProps):
    """`gcp.dataproc.cluster`"""

    cmek: bool | None = None
