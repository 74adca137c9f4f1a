"""Turn a joined Cloud Asset Inventory export into typed GCP resources in an :class:`Inventory`.

The scope of a resource is its project: ``account`` is the project id (the project number
when the export has no Project asset to name it), ``region`` the asset's location
(``global`` when none). ``resource.id`` is the CAI name (``//storage.googleapis.com/b``).

Facts that need several assets (a log sink's destination bucket, a DNS policy's networks,
alert policies on log metrics, essential contacts, inherited IAM bindings) are joined here;
see docs/gcp.md for what each property reads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from mamori.collect.gcp.reader import Asset, Export
from mamori.errors import InputError
from mamori.model.resource import GLOBAL, Inventory, Resource
from mamori.model.resources import gcp as m
from mamori.model.resources import model_for

CRM = "//cloudresourcemanager.googleapis.com/"
FULL_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_SA = re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$")
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")

ASSET_TYPES: dict[str, tuple[str, str]] = {
    "cloudresourcemanager.googleapis.com/Organization": (m.ORGANIZATION, "organization"),
    "cloudresourcemanager.googleapis.com/Project": (m.PROJECT, "project"),
    "storage.googleapis.com/Bucket": (m.BUCKET, "bucket"),
    "compute.googleapis.com/Firewall": (m.FIREWALL, "firewall"),
    "compute.googleapis.com/Network": (m.NETWORK, "network"),
    "compute.googleapis.com/Subnetwork": (m.SUBNETWORK, "subnetwork"),
    "compute.googleapis.com/Instance": (m.INSTANCE, "instance"),
    "compute.googleapis.com/BackendService": (m.BACKEND_SERVICE, "backend_service"),
    "sqladmin.googleapis.com/Instance": (m.SQL_INSTANCE, "sql_instance"),
    "cloudkms.googleapis.com/CryptoKey": (m.CRYPTO_KEY, "crypto_key"),
    "iam.googleapis.com/ServiceAccountKey": (m.SERVICE_ACCOUNT_KEY, "service_account_key"),
    "bigquery.googleapis.com/Dataset": (m.DATASET, "dataset"),
    "bigquery.googleapis.com/Table": (m.TABLE, "table"),
    "dns.googleapis.com/ManagedZone": (m.MANAGED_ZONE, "managed_zone"),
    "apikeys.googleapis.com/Key": (m.API_KEY, "api_key"),
    "dataproc.googleapis.com/Cluster": (m.DATAPROC_CLUSTER, "dataproc_cluster"),
}
"""CAI asset type -> mamori resource type (the types rules evaluate)."""


INDEXED_TYPES = frozenset({
    "logging.googleapis.com/LogSink", "logging.googleapis.com/LogMetric", "monitoring.googleapis.com/AlertPolicy",
    "serviceusage.googleapis.com/Service", "compute.googleapis.com/Project", "dns.googleapis.com/Policy",
    "essentialcontacts.googleapis.com/Contact",
})  # fmt: skip
"""CAI asset types read only to join facts onto the mapped resources (sinks, metrics, alerts...)."""
READ_TYPES = frozenset(ASSET_TYPES) | INDEXED_TYPES
"""Every CAI asset type whose data mamori reads; the data of other types is dropped while reading."""


def _crm_name(ancestor: str) -> str:
    return CRM + ancestor


def _items(metadata: Any) -> dict[str, str]:
    items = (metadata or {}).get("items") if isinstance(metadata, dict) else None
    out: dict[str, str] = {}
    for it in items or []:
        if isinstance(it, dict) and isinstance(it.get("key"), str):
            out[it["key"]] = str(it.get("value", ""))
    return out


def _true(v: str | None) -> bool:
    return (v or "").strip().lower() in ("true", "1", "yes", "on")


def bindings_of(policy: dict[str, Any] | None, source: str) -> list[dict[str, Any]]:
    out = []
    for b in (policy or {}).get("bindings") or []:
        if isinstance(b, dict) and isinstance(b.get("role"), str):
            members = [str(x) for x in b.get("members") or []]
            out.append(
                {
                    "role": b["role"],
                    "members": members,
                    "source": source,
                    "conditional": bool(b.get("condition")),
                }
            )
    return out


def audit_configs_of(policy: dict[str, Any] | None, source: str) -> list[dict[str, Any]]:
    out = []
    raw = (policy or {}).get("audit_configs", (policy or {}).get("auditConfigs")) or []
    for c in raw:
        if not isinstance(c, dict):
            continue
        logs = c.get("audit_log_configs", c.get("auditLogConfigs")) or []
        types, exempt = [], []
        for lc in logs:
            if isinstance(lc, dict):
                types.append(str(lc.get("log_type", lc.get("logType", ""))))
                exempt += [str(x) for x in lc.get("exempted_members", lc.get("exemptedMembers")) or []]
        out.append(
            {
                "service": str(c.get("service", "")),
                "log_types": types,
                "exempted_members": exempt,
                "source": source,
            }
        )
    return out


class Builder:
    """One pass over the export to index cross-asset facts, one pass to build resources."""

    def __init__(self, exp: Export) -> None:
        self.exp = exp
        self.project_ids: dict[str, str] = {}  # "projects/123" -> "my-project"
        self.by_type: dict[str, list[Asset]] = defaultdict(list)
        for a in exp.assets.values():
            self.by_type[a.asset_type].append(a)
            if a.asset_type == "cloudresourcemanager.googleapis.com/Project" and a.data:
                num, pid = a.data.get("projectNumber"), a.data.get("projectId")
                if num and pid:
                    self.project_ids[f"projects/{num}"] = str(pid)

    # ----- scope -----
    def project_of(self, a: Asset) -> str:
        for anc in a.ancestors:
            if anc.startswith("projects/"):
                return self.project_ids.get(anc, anc.split("/", 1)[1])
        if a.asset_type == "cloudresourcemanager.googleapis.com/Organization":
            return a.name.rsplit("/", 2)[-2] + "/" + a.name.rsplit("/", 1)[-1]
        return "unknown"

    def ancestry_known(self, a: Asset) -> bool:
        """Every folder/organization/project above ``a`` is in the export."""
        return all(_crm_name(x) in self.exp.assets for x in a.ancestors if _crm_name(x) != a.name)

    def inherited(
        self, a: Asset, fn: Callable[[dict[str, Any] | None, str], list[dict[str, Any]]]
    ) -> list[dict[str, Any]] | None:
        if not self.exp.has_iam_policy:
            return None
        out: list[dict[str, Any]] = []
        for anc in a.ancestors:
            n = _crm_name(anc)
            if n == a.name:
                continue
            up = self.exp.assets.get(n)
            if up is None:
                return None
            out += fn(up.iam_policy, n)
        return out

    def own(self, a: Asset) -> list[dict[str, Any]] | None:
        return bindings_of(a.iam_policy, a.name) if self.exp.has_iam_policy else None

    # ----- cross-asset indexes -----
    def per_project(self, asset_type: str) -> dict[str, list[Asset]]:
        out: dict[str, list[Asset]] = defaultdict(list)
        for a in self.by_type.get(asset_type, []):
            out[self.project_of(a)].append(a)
        return out

    def build(self, collected_at: datetime | None = None) -> Inventory:
        exp = self.exp
        at = collected_at or datetime.now(UTC)
        inv = Inventory(
            collected_at=at, source="gcp-assets:" + ",".join(p.rsplit("/", 1)[-1] for p in exp.files)
        )
        self._index()
        scopes: set[tuple[str, str]] = set()
        for cai_type, (rtype, mapper) in ASSET_TYPES.items():
            fn = getattr(self, "_" + mapper)
            model = model_for(rtype)
            for a in self.by_type.get(cai_type, []):
                if a.data is None:  # only in the IAM export: the resource itself was not exported
                    continue
                try:
                    props = {"ancestors": list(a.ancestors), "location": a.location or None, **fn(a, a.data)}
                    typed = model.of(props)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    where = ".".join(str(x) for x in err["loc"])
                    raise InputError(f"asset {a.name}: {where}: {err['msg']}", source=a.origin[0], where=a.origin[1]) from None
                except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
                    raise InputError(f"asset {a.name}: unexpected resource.data ({type(exc).__name__}: {exc})",
                                     source=a.origin[0], where=a.origin[1]) from None  # fmt: skip
                project = self.project_of(a)
                region = (a.location or GLOBAL).lower()
                name = str(a.data.get("name") or a.data.get("displayName") or a.name.rsplit("/", 1)[-1])
                raw_labels = a.data.get("labels")
                labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
                inv.add(Resource("gcp", project, region, rtype, a.name, "", name.rsplit("/", 1)[-1],
                                 {str(k): str(v) for k, v in labels.items()}, typed.to_properties()))  # fmt: skip
                scopes.add((project, region))
                a.data = {}  # mapped: the raw data is no longer needed
        types = [t for t, _ in ASSET_TYPES.values()] if exp.has_resource else []
        for project, region in scopes:
            inv.cover(project, region, types)
        return inv

    def _index(self) -> None:
        # log sinks: destinations (buckets) and "all entries" sinks per scope
        self.sink_buckets: set[str] = set()
        self.all_entry_sinks: set[str] = set()  # "projects/N" / "folders/F" / "organizations/O"
        self.inheriting_sinks: set[str] = set()
        for s in self.by_type.get("logging.googleapis.com/LogSink", []):
            d = s.data or {}
            dest = str(d.get("destination") or "")
            if dest.startswith("storage.googleapis.com/"):
                self.sink_buckets.add(dest.split("/", 1)[1])
            if d.get("disabled") or (d.get("filter") or "").strip():
                continue
            owner = s.ancestors[0] if s.ancestors else ""
            self.all_entry_sinks.add(owner)
            if d.get("includeChildren"):
                self.inheriting_sinks.add(owner)
        # log metrics and the alert policies that reference them
        self.metrics = self.per_project("logging.googleapis.com/LogMetric")
        self.alerted: dict[str, set[str]] = defaultdict(set)
        for p in self.by_type.get("monitoring.googleapis.com/AlertPolicy", []):
            d = p.data or {}
            if d.get("enabled") is False:
                continue
            for c in d.get("conditions") or []:
                flt = str(((c or {}).get("conditionThreshold") or {}).get("filter") or "")
                for metric in re.findall(r"logging\.googleapis\.com/user/([A-Za-z0-9_.\-/]+)", flt):
                    self.alerted[self.project_of(p)].add(metric)
        # enabled services, compute project metadata, DNS logging per network, essential contacts
        self.services: dict[str, list[str]] = defaultdict(list)
        for s in self.by_type.get("serviceusage.googleapis.com/Service", []):
            d = s.data or {}
            if d.get("state") == "ENABLED":
                self.services[self.project_of(s)].append(str(d.get("name", "")).rsplit("/", 1)[-1])
            else:
                self.services.setdefault(self.project_of(s), [])
        self.compute_meta: dict[str, dict[str, str]] = {}
        for c in self.by_type.get("compute.googleapis.com/Project", []):
            self.compute_meta[self.project_of(c)] = _items((c.data or {}).get("commonInstanceMetadata"))
        self.dns_logged: set[str] = set()
        for p in self.by_type.get("dns.googleapis.com/Policy", []):
            d = p.data or {}
            if d.get("enableLogging"):
                for n in d.get("networks") or []:
                    url = str((n or {}).get("networkUrl") or "")
                    self.dns_logged.add(_net_key(url))
        self.contacts: dict[str, set[str]] = defaultdict(set)
        for c in self.by_type.get("essentialcontacts.googleapis.com/Contact", []):
            owner = c.ancestors[0] if c.ancestors else ""
            for cat in (c.data or {}).get("notificationCategorySubscriptions") or []:
                self.contacts[owner].add(str(cat))

    # ----- one mapper per resource type: data -> model properties -----
    def _organization(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        org = a.name.split(CRM, 1)[-1]
        return {"display_name": d.get("displayName"), "essential_contact_categories": sorted(self.contacts.get(org, set())),
                "iam_bindings": self.own(a)}  # fmt: skip

    def _project(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        me = f"projects/{d.get('projectNumber') or a.name.rsplit('/', 1)[-1]}"
        pid = self.project_of(a)
        sink: bool | None = me in self.all_entry_sinks or any(
            x in self.inheriting_sinks for x in a.ancestors[1:]
        )
        if not sink and not self.ancestry_known(a):
            sink = None
        metrics = [
            {"metric": str(x.data.get("name", "")).rsplit("/", 1)[-1], "filter": str(x.data.get("filter", "")),
             "alerted": str(x.data.get("name", "")).rsplit("/", 1)[-1] in self.alerted.get(pid, set())}
            for x in self.metrics.get(pid, []) if x.data
        ]  # fmt: skip
        meta = self.compute_meta.get(pid)
        return {
            "project_id": d.get("projectId"), "project_number": str(d["projectNumber"]) if d.get("projectNumber") else None,
            "lifecycle_state": d.get("lifecycleState"), "iam_bindings": self.own(a),
            "inherited_iam_bindings": self.inherited(a, bindings_of),
            "audit_configs": audit_configs_of(a.iam_policy, a.name) if self.exp.has_iam_policy else None,
            "inherited_audit_configs": self.inherited(a, audit_configs_of),
            "log_sink_all_entries": sink, "log_metric_alerts": metrics,
            "enabled_services": sorted(self.services[pid]) if pid in self.services else None,
            "os_login_enabled": None if meta is None else _true(meta.get("enable-oslogin")),
        }  # fmt: skip

    def _bucket(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        iam = d.get("iamConfiguration") or {}
        ubla = (iam.get("uniformBucketLevelAccess") or iam.get("bucketPolicyOnly") or {}).get("enabled")
        ret = d.get("retentionPolicy") or {}
        period = ret.get("retentionPeriod")
        return {
            "uniform_bucket_level_access": bool(ubla), "public_access_prevention": iam.get("publicAccessPrevention"),
            "iam_bindings": self.own(a), "inherited_iam_bindings": self.inherited(a, bindings_of),
            "retention_period_seconds": int(period) if period is not None else None,
            "retention_locked": bool(ret.get("isLocked")), "log_sink_destination": str(d.get("name") or d.get("id")) in self.sink_buckets,
            "versioning_enabled": bool((d.get("versioning") or {}).get("enabled")),
            "default_kms_key": (d.get("encryption") or {}).get("defaultKmsKeyName"),
        }  # fmt: skip

    def _firewall(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        allowed = [
            {"ip_protocol": str(x.get("IPProtocol", x.get("ipProtocol", ""))).lower(), "ports": [str(p) for p in x.get("ports") or []]}
            for x in d.get("allowed") or [] if isinstance(x, dict)
        ]  # fmt: skip
        return {
            "network": str(d.get("network") or "").rsplit("/", 1)[-1] or None, "direction": d.get("direction", "INGRESS"),
            "disabled": bool(d.get("disabled")), "source_ranges": [str(x) for x in d.get("sourceRanges") or []],
            "allowed": allowed, "logging_enabled": bool((d.get("logConfig") or {}).get("enable")),
        }  # fmt: skip

    def _network(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        legacy = "IPv4Range" in d or ("gatewayIPv4" in d and "autoCreateSubnetworks" not in d)
        return {
            "is_default": d.get("name") == "default", "legacy": bool(legacy),
            "auto_create_subnetworks": d.get("autoCreateSubnetworks") if not legacy else None,
            "dns_logging_enabled": _net_key(str(d.get("selfLink") or a.name)) in self.dns_logged,
        }  # fmt: skip

    def _subnetwork(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        return {
            "network": str(d.get("network") or "").rsplit("/", 1)[-1] or None, "purpose": d.get("purpose", "PRIVATE"),
            "flow_logs_enabled": bool((d.get("logConfig") or {}).get("enable") or d.get("enableFlowLogs")),
            "private_google_access": bool(d.get("privateIpGoogleAccess")),
        }  # fmt: skip

    def _instance(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        sas = [
            {"email": str(s.get("email", "")), "scopes": [str(x) for x in s.get("scopes") or []]}
            for s in d.get("serviceAccounts") or []
        ]
        meta = _items(d.get("metadata"))
        shielded = d.get("shieldedInstanceConfig") or {}
        ips = [
            str(ac.get("natIP"))
            for ni in d.get("networkInterfaces") or []
            for ac in (ni or {}).get("accessConfigs") or []
            if ac.get("natIP")
        ]
        ips_present = any((ni or {}).get("accessConfigs") for ni in d.get("networkInterfaces") or [])
        disks = d.get("disks") or []
        name = str(d.get("name") or "")
        return {
            "status": d.get("status"), "gke_node": name.startswith("gke-") or "goog-gke-node" in (d.get("labels") or {}),
            "service_accounts": sas,
            "uses_default_service_account": any(DEFAULT_SA.match(str(s["email"])) for s in sas),
            "default_sa_full_scope": any(DEFAULT_SA.match(str(s["email"])) and FULL_SCOPE in s["scopes"] for s in sas),
            "block_project_ssh_keys": _true(meta.get("block-project-ssh-keys")),
            "serial_port_enabled": _true(meta.get("serial-port-enable")),
            "can_ip_forward": bool(d.get("canIpForward")),
            "shielded_secure_boot": bool(shielded.get("enableSecureBoot")), "shielded_vtpm": bool(shielded.get("enableVtpm")),
            "shielded_integrity_monitoring": bool(shielded.get("enableIntegrityMonitoring")),
            "public_ips": ips if ips or not ips_present else ["ephemeral"],
            "confidential_computing": bool((d.get("confidentialInstanceConfig") or {}).get("enableConfidentialCompute")),
            "disks_csek": bool(disks) and all((x or {}).get("diskEncryptionKey", {}).get("sha256") for x in disks),
        }  # fmt: skip

    def _backend_service(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        return {
            "load_balancing_scheme": d.get("loadBalancingScheme"),
            "logging_enabled": bool((d.get("logConfig") or {}).get("enable")),
        }

    def _sql_instance(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        s = d.get("settings") or {}
        ip = s.get("ipConfiguration") or {}
        version = str(d.get("databaseVersion") or "")
        engine = (
            "MYSQL"
            if version.startswith("MYSQL")
            else "POSTGRES"
            if version.startswith("POSTGRES")
            else "SQLSERVER"
            if version.startswith("SQLSERVER")
            else None
        )
        mode = ip.get("sslMode")
        ssl = bool(ip.get("requireSsl")) or mode in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
        public = bool(ip.get("ipv4Enabled")) or any(
            (x or {}).get("type") == "PRIMARY" for x in d.get("ipAddresses") or []
        )
        flags = {
            str(f.get("name")): str(f.get("value", ""))
            for f in s.get("databaseFlags") or []
            if isinstance(f, dict) and f.get("name")
        }
        return {
            "engine": engine, "database_version": version or None, "public_ip": public,
            "authorized_networks": [str((n or {}).get("value", "")) for n in ip.get("authorizedNetworks") or []],
            "require_ssl": ssl, "ssl_mode": mode, "backup_enabled": bool((s.get("backupConfiguration") or {}).get("enabled")),
            "database_flags": flags,
        }  # fmt: skip

    def _crypto_key(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        period = d.get("rotationPeriod")
        days = float(str(period).rstrip("s")) / 86400.0 if period else None
        return {"purpose": d.get("purpose"), "rotation_enabled": bool(period and d.get("nextRotationTime", True)),
                "rotation_period_days": days, "iam_bindings": self.own(a)}  # fmt: skip

    def _service_account_key(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        parts = a.name.split("/serviceAccounts/", 1)
        email = parts[1].split("/", 1)[0] if len(parts) == 2 else None
        return {"service_account_email": email, "key_type": d.get("keyType"), "valid_after": d.get("validAfterTime"),
                "disabled": bool(d.get("disabled"))}  # fmt: skip

    def _dataset(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        public = any(
            (x or {}).get("specialGroup") == "allAuthenticatedUsers" or (x or {}).get("iamMember") in PUBLIC_MEMBERS
            for x in d.get("access") or []
        )  # fmt: skip
        return {"access_public": public, "iam_bindings": self.own(a),
                "default_cmek": bool((d.get("defaultEncryptionConfiguration") or {}).get("kmsKeyName"))}  # fmt: skip

    def _table(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        return {"cmek": bool((d.get("encryptionConfiguration") or {}).get("kmsKeyName"))}

    def _managed_zone(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        cfg = d.get("dnssecConfig") or {}
        specs = [x for x in cfg.get("defaultKeySpecs") or [] if isinstance(x, dict)]
        return {
            "visibility": str(d.get("visibility") or "public").lower(), "dnssec_state": str(cfg.get("state") or "off").lower(),
            "key_signing_algorithms": [str(x.get("algorithm", "")).lower() for x in specs if x.get("keyType") == "keySigning"],
            "zone_signing_algorithms": [str(x.get("algorithm", "")).lower() for x in specs if x.get("keyType") == "zoneSigning"],
        }  # fmt: skip

    def _api_key(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        r = d.get("restrictions") or {}
        app = any(
            r.get(k)
            for k in (
                "browserKeyRestrictions",
                "serverKeyRestrictions",
                "androidKeyRestrictions",
                "iosKeyRestrictions",
            )
        )
        return {"created": d.get("createTime"), "api_targets": [str((t or {}).get("service", "")) for t in r.get("apiTargets") or []],
                "application_restricted": bool(app)}  # fmt: skip

    def _dataproc_cluster(self, a: Asset, d: dict[str, Any]) -> dict[str, Any]:
        enc = (d.get("config") or {}).get("encryptionConfig") or {}
        return {"cmek": bool(enc.get("gcePdKmsKeyName") or enc.get("kmsKey"))}


def _net_key(url: str) -> str:
    """``projects/P/global/networks/N`` from a network URL or CAI name (the form both sides share)."""
    i = url.find("projects/")
    return url[i:] if i >= 0 else url


def build_inventory(exp: Export, collected_at: datetime | None = None) -> Inventory:
    """The typed resources of an export; ages (key age, rotation) are measured from ``collected_at`` (default: now)."""
    return Builder(exp).build(collected_at)
