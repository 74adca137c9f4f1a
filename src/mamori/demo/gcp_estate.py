"""The demo's Google Cloud estate, as the Cloud Asset Inventory export `gcloud asset export` writes.

Two organizations (``example.com``, compliant, and ``acquired.example``, a recent acquisition),
one project under each: ``demo-prod`` passes every GCP rule, ``demo-dev`` fails every one, so
each rule has both outcomes. Two files, as an export per content type gives: RESOURCE and
IAM_POLICY (``mamori demo --gcp`` writes them and scans them; docs/gcp.md).

The same builders make the benchmark's 100,000-asset export (benchmarks/gcp/bench_gcp.py).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

DEMO_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
"""The demo export's read time: key and API-key ages are measured from it."""

CRM = "//cloudresourcemanager.googleapis.com/"
UPDATED = "2026-11-23T11:00:00Z"
FULL_SCOPE = "https://www.googleapis.com/auth/cloud-platform"

METRIC_FILTERS = {
    "project-ownership-changes": '(protoPayload.serviceName="cloudresourcemanager.googleapis.com") AND (ProjectOwnership OR projectOwnerInvitee) OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="REMOVE" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner") OR (protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD" AND protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner")',
    "audit-config-changes": 'protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*',
    "custom-role-changes": 'resource.type="iam_role" AND (protoPayload.methodName="google.iam.admin.v1.CreateRole" OR protoPayload.methodName="google.iam.admin.v1.DeleteRole" OR protoPayload.methodName="google.iam.admin.v1.UpdateRole")',
    "firewall-changes": 'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.patch" OR protoPayload.methodName:"compute.firewalls.insert" OR protoPayload.methodName:"compute.firewalls.delete")',
    "route-changes": 'resource.type="gce_route" AND (protoPayload.methodName:"compute.routes.delete" OR protoPayload.methodName:"compute.routes.insert")',
    "network-changes": 'resource.type="gce_network" AND (protoPayload.methodName:"compute.networks.insert" OR protoPayload.methodName:"compute.networks.patch" OR protoPayload.methodName:"compute.networks.delete" OR protoPayload.methodName:"compute.networks.removePeering" OR protoPayload.methodName:"compute.networks.addPeering")',
    "storage-iam-changes": 'resource.type="gcs_bucket" AND protoPayload.methodName="storage.setIamPermissions"',
    "sql-config-changes": 'protoPayload.methodName="cloudsql.instances.update"',
}

GOOD_FLAGS = {
    "MYSQL_8_0": {"skip_show_database": "on", "local_infile": "off"},
    "POSTGRES_15": {"log_error_verbosity": "default", "log_connections": "on", "log_disconnections": "on", "log_statement": "ddl",
                    "log_min_messages": "warning", "log_min_error_statement": "error", "log_min_duration_statement": "-1",
                    "cloudsql.enable_pgaudit": "on"},  # fmt: skip
    "SQLSERVER_2019_STANDARD": {"external scripts enabled": "off", "cross db ownership chaining": "off", "user connections": "0",
                                "remote access": "off", "3625": "on", "contained database authentication": "off"},  # fmt: skip
}
BAD_FLAGS = {
    "MYSQL_8_0": {"skip_show_database": "off", "local_infile": "on"},
    "POSTGRES_15": {"log_error_verbosity": "verbose", "log_connections": "off", "log_disconnections": "off", "log_statement": "none",
                    "log_min_messages": "debug5", "log_min_error_statement": "info", "log_min_duration_statement": "0",
                    "cloudsql.enable_pgaudit": "off"},  # fmt: skip
    "SQLSERVER_2019_STANDARD": {"external scripts enabled": "on", "cross db ownership chaining": "on", "user connections": "10",
                                "user options": "32", "remote access": "on", "3625": "off", "contained database authentication": "on"},  # fmt: skip
}


class Project:
    """Builds the assets of one project (``good``: compliant with every rule, else failing every one)."""

    def __init__(self, project_id: str, number: int, ancestors: list[str], good: bool) -> None:
        self.id, self.number, self.good = project_id, number, good
        self.anc = [f"projects/{number}", *ancestors]

    def asset(self, name: str, asset_type: str, data: dict[str, Any], location: str = "global", parent: str = "") -> dict[str, Any]:
        disc = asset_type.rsplit("/", 1)[-1]
        return {
            "name": name, "asset_type": asset_type,
            "resource": {"version": "v1", "discovery_name": disc, "parent": parent or f"{CRM}projects/{self.number}",
                         "data": data, "location": location},
            "ancestors": self.anc, "update_time": UPDATED,
        }  # fmt: skip

    def iam(self, name: str, asset_type: str, bindings: list[dict[str, Any]], audit: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        pol: dict[str, Any] = {"version": 1, "bindings": bindings, "etag": "BwX="}
        if audit is not None:
            pol["audit_configs"] = audit
        return {"name": name, "asset_type": asset_type, "iam_policy": pol, "ancestors": self.anc, "update_time": UPDATED}

    def project_assets(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        g, p, n = self.good, self.id, self.number
        res: list[dict[str, Any]] = []
        iam: list[dict[str, Any]] = []
        pname = f"{CRM}projects/{n}"
        res.append(self.asset(pname, "cloudresourcemanager.googleapis.com/Project",
                              {"projectNumber": str(n), "projectId": p, "lifecycleState": "ACTIVE", "name": p}, parent=CRM + self.anc[1]))  # fmt: skip
        meta = [{"key": "enable-oslogin", "value": "TRUE"}] if g else []
        res.append(self.asset(f"//compute.googleapis.com/projects/{p}", "compute.googleapis.com/Project",
                              {"name": p, "commonInstanceMetadata": {"items": meta}}))  # fmt: skip
        for svc in ["compute.googleapis.com", *(["cloudasset.googleapis.com"] if g else [])]:
            res.append(self.asset(f"//serviceusage.googleapis.com/projects/{n}/services/{svc}", "serviceusage.googleapis.com/Service",
                                  {"name": f"projects/{n}/services/{svc}", "state": "ENABLED", "parent": f"projects/{n}"}))  # fmt: skip
        sa = f"serviceAccount:app@{p}.iam.gserviceaccount.com"
        if g:
            binds = [{"role": "roles/viewer", "members": ["user:alice@example.com"]},
                     {"role": "roles/storage.objectViewer", "members": [sa]},
                     {"role": "roles/iam.serviceAccountAdmin", "members": ["user:alice@example.com"]},
                     {"role": "roles/cloudkms.admin", "members": ["user:alice@example.com"]},
                     {"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "members": [sa]}]  # fmt: skip
        else:
            binds = [{"role": "roles/editor", "members": [sa, "user:bob@acquired.example"]},
                     {"role": "roles/iam.serviceAccountUser", "members": ["user:bob@acquired.example"]},
                     {"role": "roles/iam.serviceAccountAdmin", "members": ["user:bob@acquired.example"]},
                     {"role": "roles/cloudkms.admin", "members": ["user:bob@acquired.example"]},
                     {"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "members": ["user:bob@acquired.example"]}]  # fmt: skip
        iam.append(self.iam(pname, "cloudresourcemanager.googleapis.com/Project", binds, audit=[]))
        # logging: sinks, metrics, alerts
        logs_bucket = f"{p}-logs"
        res.append(self.asset(f"//logging.googleapis.com/projects/{n}/sinks/archive", "logging.googleapis.com/LogSink",
                              {"name": "archive", "destination": f"storage.googleapis.com/{logs_bucket}",
                               "filter": "" if g else 'severity>="ERROR"'}))  # fmt: skip
        for metric, flt in METRIC_FILTERS.items():
            if g or metric == "sql-config-changes":  # the failing project has one metric, without an alert
                res.append(self.asset(f"//logging.googleapis.com/projects/{n}/metrics/{metric}", "logging.googleapis.com/LogMetric",
                                      {"name": metric, "filter": flt}))  # fmt: skip
        if g:
            conds = [{"displayName": m, "conditionThreshold": {"filter": f'metric.type="logging.googleapis.com/user/{m}" AND resource.type="global"'}}
                     for m in METRIC_FILTERS]  # fmt: skip
            res.append(self.asset(f"//monitoring.googleapis.com/projects/{n}/alertPolicies/1", "monitoring.googleapis.com/AlertPolicy",
                                  {"name": f"projects/{p}/alertPolicies/1", "enabled": True, "conditions": conds}))  # fmt: skip
        res += self.storage(logs_bucket, iam)
        res += self.network(iam)
        res += self.compute()
        res += self.sql()
        res += self.kms(iam)
        res += self.service_account_keys()
        res += self.bigquery(iam)
        res += self.dns()
        res += self.api_keys()
        res.append(self.asset(f"//dataproc.googleapis.com/projects/{p}/regions/us-central1/clusters/etl", "dataproc.googleapis.com/Cluster",
                              {"clusterName": "etl", "config": {"encryptionConfig": {"gcePdKmsKeyName": self.kms_key} if g else {}}}, "us-central1"))  # fmt: skip
        return res, iam

    @property
    def kms_key(self) -> str:
        return f"projects/{self.id}/locations/us/keyRings/main/cryptoKeys/data"

    def storage(self, logs_bucket: str, iam: list[dict[str, Any]]) -> list[dict[str, Any]]:
        g = self.good
        out = []
        for b, public in ((logs_bucket, False), (f"{self.id}-assets", not g)):
            data = {"name": b, "id": b, "location": "US",
                    "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": g}, "publicAccessPrevention": "enforced" if g else "inherited"},
                    "versioning": {"enabled": g}}  # fmt: skip
            if b == logs_bucket:
                data["retentionPolicy"] = {"retentionPeriod": "31536000", "isLocked": g}
            out.append(self.asset(f"//storage.googleapis.com/{b}", "storage.googleapis.com/Bucket", data, "us"))
            members = ["allUsers"] if public else [f"serviceAccount:app@{self.id}.iam.gserviceaccount.com"]
            iam.append(self.iam(f"//storage.googleapis.com/{b}", "storage.googleapis.com/Bucket", [{"role": "roles/storage.objectViewer", "members": members}]))
        return out

    def network(self, iam: list[dict[str, Any]]) -> list[dict[str, Any]]:
        g, p = self.good, self.id
        out = []
        net = "prod-vpc" if g else "default"
        out.append(self.asset(f"//compute.googleapis.com/projects/{p}/global/networks/{net}", "compute.googleapis.com/Network",
                              {"name": net, "autoCreateSubnetworks": not g, "selfLink": f"https://www.googleapis.com/compute/v1/projects/{p}/global/networks/{net}"}))  # fmt: skip
        if not g:
            out.append(self.asset(f"//compute.googleapis.com/projects/{p}/global/networks/legacy-net", "compute.googleapis.com/Network",
                                  {"name": "legacy-net", "IPv4Range": "10.240.0.0/16", "gatewayIPv4": "10.240.0.1"}))  # fmt: skip
        else:
            out.append(self.asset(f"//dns.googleapis.com/projects/{p}/policies/dns-logging", "dns.googleapis.com/Policy",
                                  {"name": "dns-logging", "enableLogging": True,
                                   "networks": [{"networkUrl": f"https://www.googleapis.com/compute/v1/projects/{p}/global/networks/{net}"}]}))  # fmt: skip
        sub = {"name": "app", "network": f"projects/{p}/global/networks/{net}", "ipCidrRange": "10.0.0.0/24", "purpose": "PRIVATE",
               "privateIpGoogleAccess": g, **({"logConfig": {"enable": True, "aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 1.0,
                                                              "metadata": "INCLUDE_ALL_METADATA"}} if g else {})}  # fmt: skip
        out.append(self.asset(f"//compute.googleapis.com/projects/{p}/regions/us-central1/subnetworks/app", "compute.googleapis.com/Subnetwork", sub, "us-central1"))
        rules: list[tuple[str, list[str], list[dict[str, Any]], str]] = [("allow-https", ["0.0.0.0/0"], [{"IPProtocol": "tcp", "ports": ["443"]}], "INGRESS")]
        if g:
            rules.append(("allow-admin-from-iap", ["35.235.240.0/20"], [{"IPProtocol": "tcp", "ports": ["22", "3389"]}], "INGRESS"))
        else:
            rules += [("default-allow-ssh", ["0.0.0.0/0"], [{"IPProtocol": "tcp", "ports": ["22"]}], "INGRESS"),
                      ("default-allow-rdp", ["0.0.0.0/0"], [{"IPProtocol": "tcp", "ports": ["3389"]}], "INGRESS"),
                      ("allow-everything", ["0.0.0.0/0"], [{"IPProtocol": "all"}], "INGRESS")]  # fmt: skip
        for name, ranges, allowed, direction in rules:
            out.append(self.asset(f"//compute.googleapis.com/projects/{p}/global/firewalls/{name}", "compute.googleapis.com/Firewall",
                                  {"name": name, "network": f"https://www.googleapis.com/compute/v1/projects/{p}/global/networks/{net}",
                                   "direction": direction, "sourceRanges": ranges, "allowed": allowed, "disabled": False,
                                   "logConfig": {"enable": g}}))  # fmt: skip
        return out

    def compute(self) -> list[dict[str, Any]]:
        g, p, n = self.good, self.id, self.number
        sa = {"email": f"app@{p}.iam.gserviceaccount.com", "scopes": [FULL_SCOPE]} if g else \
             {"email": f"{n}-compute@developer.gserviceaccount.com", "scopes": [FULL_SCOPE]}  # fmt: skip
        meta = [{"key": "block-project-ssh-keys", "value": "true"}] if g else [{"key": "serial-port-enable", "value": "true"}]
        nic: dict[str, Any] = {"network": f"projects/{p}/global/networks/x", "networkIP": "10.0.0.2"}
        if not g:
            nic["accessConfigs"] = [{"name": "external-nat", "type": "ONE_TO_ONE_NAT", "natIP": "203.0.113.10"}]
        disk: dict[str, Any] = {"deviceName": "boot", "boot": True}
        if g:
            disk["diskEncryptionKey"] = {"sha256": "n2fR4Y8vJ2x6bT3z1JgqfXgDFbWBo1hYQ0ts5bPy9mA="}
        data = {"name": "web-1", "status": "RUNNING", "serviceAccounts": [sa], "metadata": {"items": meta}, "canIpForward": not g,
                "shieldedInstanceConfig": {"enableSecureBoot": g, "enableVtpm": g, "enableIntegrityMonitoring": g},
                "confidentialInstanceConfig": {"enableConfidentialCompute": g}, "networkInterfaces": [nic], "disks": [disk]}  # fmt: skip
        out = [self.asset(f"//compute.googleapis.com/projects/{p}/zones/us-central1-a/instances/web-1", "compute.googleapis.com/Instance", data, "us-central1-a")]
        out.append(self.asset(f"//compute.googleapis.com/projects/{p}/global/backendServices/web", "compute.googleapis.com/BackendService",
                              {"name": "web", "loadBalancingScheme": "EXTERNAL_MANAGED", "logConfig": {"enable": g, "sampleRate": 1.0}}))  # fmt: skip
        return out

    def sql(self) -> list[dict[str, Any]]:
        g, p = self.good, self.id
        out = []
        for version, flags in (GOOD_FLAGS if g else BAD_FLAGS).items():
            name = version.split("_", 1)[0].lower()
            ip = {"ipv4Enabled": not g, "requireSsl": g, "sslMode": "ENCRYPTED_ONLY" if g else "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
                  "authorizedNetworks": [] if g else [{"name": "anywhere", "value": "0.0.0.0/0"}]}  # fmt: skip
            data = {"name": name, "databaseVersion": version, "region": "us-central1",
                    "settings": {"ipConfiguration": ip, "backupConfiguration": {"enabled": g},
                                 "databaseFlags": [{"name": k, "value": v} for k, v in flags.items()]},
                    "ipAddresses": [{"type": "PRIVATE", "ipAddress": "10.1.0.3"}] if g else [{"type": "PRIMARY", "ipAddress": "203.0.113.20"}]}  # fmt: skip
            out.append(self.asset(f"//cloudsql.googleapis.com/projects/{p}/instances/{name}", "sqladmin.googleapis.com/Instance", data, "us-central1"))
        return out

    def kms(self, iam: list[dict[str, Any]]) -> list[dict[str, Any]]:
        g = self.good
        name = f"//cloudkms.googleapis.com/{self.kms_key}"
        data: dict[str, Any] = {"name": self.kms_key, "purpose": "ENCRYPT_DECRYPT", "primary": {"state": "ENABLED"}}
        if g:
            data |= {"rotationPeriod": "7776000s", "nextRotationTime": "2027-01-01T00:00:00Z"}
        members = [f"serviceAccount:app@{self.id}.iam.gserviceaccount.com"] if g else ["allAuthenticatedUsers"]
        iam.append(self.iam(name, "cloudkms.googleapis.com/CryptoKey", [{"role": "roles/cloudkms.cryptoKeyDecrypter", "members": members}]))
        return [self.asset(name, "cloudkms.googleapis.com/CryptoKey", data, "us")]

    def service_account_keys(self) -> list[dict[str, Any]]:
        p = self.id
        keys = [("k1", "SYSTEM_MANAGED", "2026-11-01T00:00:00Z")] if self.good else [("k1", "USER_MANAGED", "2026-11-13T00:00:00Z"), ("k2", "USER_MANAGED", "2025-01-01T00:00:00Z")]
        return [
            self.asset(f"//iam.googleapis.com/projects/{p}/serviceAccounts/app@{p}.iam.gserviceaccount.com/keys/{k}", "iam.googleapis.com/ServiceAccountKey",
                       {"name": f"projects/{p}/serviceAccounts/app@{p}.iam.gserviceaccount.com/keys/{k}", "keyType": t, "validAfterTime": at,
                        "validBeforeTime": "9999-12-31T23:59:59Z", "keyAlgorithm": "KEY_ALG_RSA_2048"})
            for k, t, at in keys
        ]  # fmt: skip

    def bigquery(self, iam: list[dict[str, Any]]) -> list[dict[str, Any]]:
        g, p = self.good, self.id
        access = [{"role": "OWNER", "specialGroup": "projectOwners"}] + ([] if g else [{"role": "READER", "specialGroup": "allAuthenticatedUsers"}])
        ds = {"datasetReference": {"datasetId": "analytics", "projectId": p}, "access": access, "location": "US",
              **({"defaultEncryptionConfiguration": {"kmsKeyName": self.kms_key}} if g else {})}  # fmt: skip
        name = f"//bigquery.googleapis.com/projects/{p}/datasets/analytics"
        iam.append(self.iam(name, "bigquery.googleapis.com/Dataset", [{"role": "roles/bigquery.dataOwner", "members": ["group:data@example.com"]}]))
        tbl = {"tableReference": {"tableId": "events"}, **({"encryptionConfiguration": {"kmsKeyName": self.kms_key}} if g else {})}
        return [self.asset(name, "bigquery.googleapis.com/Dataset", ds, "us"),
                self.asset(f"{name}/tables/events", "bigquery.googleapis.com/Table", tbl, "us")]  # fmt: skip

    def dns(self) -> list[dict[str, Any]]:
        g, p = self.good, self.id
        strong = [{"keyType": "keySigning", "algorithm": "rsasha256", "keyLength": 2048}, {"keyType": "zoneSigning", "algorithm": "rsasha256", "keyLength": 1024}]
        weak = [{"keyType": "keySigning", "algorithm": "rsasha1", "keyLength": 2048}, {"keyType": "zoneSigning", "algorithm": "rsasha1", "keyLength": 1024}]
        zones = [("www", {"state": "on", "defaultKeySpecs": strong})] if g else [("www", {"state": "off"}), ("legacy", {"state": "on", "defaultKeySpecs": weak})]
        return [
            self.asset(f"//dns.googleapis.com/projects/{p}/managedZones/{z}", "dns.googleapis.com/ManagedZone",
                       {"name": z, "dnsName": f"{z}.{p}.example.", "visibility": "public", "dnssecConfig": cfg})
            for z, cfg in zones
        ]  # fmt: skip

    def api_keys(self) -> list[dict[str, Any]]:
        g, n = self.good, self.number
        r = {"apiTargets": [{"service": "translate.googleapis.com"}], "serverKeyRestrictions": {"allowedIps": ["198.51.100.0/24"]}} if g else {}
        return [self.asset(f"//apikeys.googleapis.com/projects/{n}/locations/global/keys/k1", "apikeys.googleapis.com/Key",
                           {"name": f"projects/{n}/locations/global/keys/k1", "displayName": "frontend", "restrictions": r,
                            "createTime": "2026-11-01T00:00:00Z" if g else "2025-06-01T00:00:00Z"})]  # fmt: skip


def organization(number: int, domain: str, good: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    name = f"{CRM}organizations/{number}"
    anc = [f"organizations/{number}"]
    res = [{"name": name, "asset_type": "cloudresourcemanager.googleapis.com/Organization",
            "resource": {"version": "v1", "discovery_name": "Organization", "parent": "", "data": {"displayName": domain, "name": f"organizations/{number}"}},
            "ancestors": anc, "update_time": UPDATED}]  # fmt: skip
    cats = ["ALL"] if good else ["TECHNICAL"]
    res.append({"name": f"//essentialcontacts.googleapis.com/organizations/{number}/contacts/1", "asset_type": "essentialcontacts.googleapis.com/Contact",
                "resource": {"version": "v1", "discovery_name": "Contact", "parent": name,
                             "data": {"email": f"security@{domain}", "notificationCategorySubscriptions": cats}},
                "ancestors": anc, "update_time": UPDATED})  # fmt: skip
    if good:
        binds = [{"role": "roles/resourcemanager.organizationAdmin", "members": [f"group:admins@{domain}"]}]
        audit = [{"service": "allServices", "audit_log_configs": [{"log_type": "ADMIN_READ"}, {"log_type": "DATA_READ"}, {"log_type": "DATA_WRITE"}]}]
    else:
        binds = [{"role": "roles/owner", "members": [f"user:founder@{domain}"]}]
        audit = []
    iam = [{"name": name, "asset_type": "cloudresourcemanager.googleapis.com/Organization",
            "iam_policy": {"version": 1, "bindings": binds, "audit_configs": audit}, "ancestors": anc, "update_time": UPDATED}]  # fmt: skip
    if good:  # a folder between the organization and the project
        fname = f"{CRM}folders/222"
        res.append({"name": fname, "asset_type": "cloudresourcemanager.googleapis.com/Folder",
                    "resource": {"version": "v1", "discovery_name": "Folder", "parent": name, "data": {"displayName": "production"}},
                    "ancestors": ["folders/222", *anc], "update_time": UPDATED})  # fmt: skip
        iam.append({"name": fname, "asset_type": "cloudresourcemanager.googleapis.com/Folder", "iam_policy": {"bindings": []},
                    "ancestors": ["folders/222", *anc], "update_time": UPDATED})  # fmt: skip
    return res, iam


def demo_export() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(RESOURCE assets, IAM_POLICY assets) of the demo estate."""
    res: list[dict[str, Any]] = []
    iam: list[dict[str, Any]] = []
    for part in (organization(111, "example.com", True), organization(333, "acquired.example", False),
                 Project("demo-prod", 1001, ["folders/222", "organizations/111"], True).project_assets(),
                 Project("demo-dev", 1002, ["organizations/333"], False).project_assets()):  # fmt: skip
        res += part[0]
        iam += part[1]
    return res, iam


def write_ndjson(assets: Iterator[dict[str, Any]] | list[dict[str, Any]], path: Path, *, compress: bool = False) -> None:
    lines = b"".join(orjson.dumps(a) + b"\n" for a in assets)
    path.write_bytes(gzip.compress(lines, mtime=0) if compress else lines)


def write_demo_export(directory: Path) -> list[Path]:
    """Write the demo export (``resources.json``, ``iam.json``) and return the two paths."""
    directory.mkdir(parents=True, exist_ok=True)
    res, iam = demo_export()
    paths = [directory / "resources.json", directory / "iam.json"]
    write_ndjson(res, paths[0])
    write_ndjson(iam, paths[1])
    return paths
