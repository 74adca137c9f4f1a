"""Shared hooks of the Google Cloud rules (CIS GCP Foundation v3.0): IAM bindings, audit
configuration, log-metric alerts, firewall exposure, Cloud SQL flags, essential contacts.

IAM hooks read ``iam_bindings`` (``None`` = the export held no IAM policies: unknown) and,
when the rule's ``inherited`` parameter is true, ``inherited_iam_bindings`` (``None`` = a
folder or organization above was not exported: unknown unless the resource's own bindings
already fail).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from mamori.model.resource import Resource
from mamori.model.resources import gcp as m
from mamori.rules.conditions import EvalContext
from mamori.rules.hooks.registry import shared_hook

Verdict = tuple[bool, dict[str, Any]] | None
WORLD = {"0.0.0.0/0", "::/0"}


def _matches(patterns: list[str], value: str) -> bool:
    return any(re.fullmatch(p, value) for p in patterns)


def _grants(bindings: list[dict[str, Any]], roles: list[str], members: list[str]) -> list[dict[str, Any]]:
    return [
        {"role": b["role"], "member": mem, "source": b.get("source", "")}
        for b in bindings if _matches(roles, b["role"]) for mem in b["members"] if _matches(members, mem)
    ]  # fmt: skip


@shared_hook(
    "gcp.iam_grants",
    resource_types=(m.PROJECT, m.ORGANIZATION, m.BUCKET, m.CRYPTO_KEY, m.DATASET),
    params=("roles", "members", "inherited"),
)
def iam_grants(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail when a binding grants a role matching ``roles`` (regexes) to a member matching ``members``."""
    own = resource.properties.get("iam_bindings")
    if own is None:
        return None
    roles, members = list(ctx.params["roles"]), list(ctx.params["members"])
    bad = _grants(own, roles, members)
    if ctx.params.get("inherited"):
        up = resource.properties.get("inherited_iam_bindings")
        if up is None:
            return (True, {"grants": bad}) if bad else None
        bad += _grants(up, roles, members)
    return (True, {"grants": bad}) if bad else (False, {})


@shared_hook(
    "gcp.iam_separation_of_duties", resource_types=(m.PROJECT,), params=("admin_roles", "user_roles")
)
def iam_separation_of_duties(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail when one user or group holds an ``admin_roles`` role and a ``user_roles`` role in the project."""
    own = resource.properties.get("iam_bindings")
    if own is None:
        return None
    admins = {mem for b in own if b["role"] in ctx.params["admin_roles"] for mem in b["members"]}
    users = {mem for b in own if b["role"] in ctx.params["user_roles"] for mem in b["members"]}
    both = sorted(x for x in admins & users if x.startswith(("user:", "group:")))
    return (True, {"members": both}) if both else (False, {})


@shared_hook("gcp.audit_logging_incomplete", resource_types=(m.PROJECT,), params=("log_types",))
def audit_logging_incomplete(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail unless an ``allServices`` audit config (on the project or above it) logs every one of
    ``log_types`` with nobody exempted; unknown when nothing passes and an ancestor was not exported."""
    own = resource.properties.get("audit_configs")
    if own is None:
        return None
    need = set(ctx.params["log_types"])

    def good(cfgs: list[dict[str, Any]]) -> bool:
        return any(
            c["service"] == "allServices" and need <= set(c["log_types"]) and not c["exempted_members"]
            for c in cfgs
        )

    up = resource.properties.get("inherited_audit_configs")
    if good(own) or (up is not None and good(up)):
        return False, {}
    if up is None:
        return None
    exempted = sorted({x for c in own + up for x in c["exempted_members"]})
    return True, {
        "all_services_log_types": sorted(
            {t for c in own + up if c["service"] == "allServices" for t in c["log_types"]}
        ),
        "exempted": exempted,
    }


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


@shared_hook("gcp.log_metric_not_alarmed", resource_types=(m.PROJECT,), params=("filter_terms",))
def log_metric_not_alarmed(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail unless a log-based metric whose filter holds every one of ``filter_terms`` (spaces and case
    ignored) is watched by an enabled alert policy."""
    metrics = resource.properties.get("log_metric_alerts")
    if metrics is None:
        return None
    terms = [_norm(t) for t in ctx.params["filter_terms"]]
    hits = [x for x in metrics if all(t in _norm(x["filter"]) for t in terms)]
    if any(x["alerted"] for x in hits):
        return False, {}
    return True, {"matching_metrics_without_alert": [x["metric"] for x in hits]}


def _covers(spec: str, port: int) -> bool:
    lo, _, hi = spec.partition("-")
    try:
        return int(lo) <= port <= int(hi or lo)
    except ValueError:
        return False


def _world(ranges: list[str]) -> bool:
    for r in ranges:
        if r in WORLD:
            return True
        try:
            if ipaddress.ip_network(r, strict=False).prefixlen == 0:
                return True
        except ValueError:
            continue
    return False


@shared_hook("gcp.firewall_open_to_world", resource_types=(m.FIREWALL,), params=("ports", "protocols"))
def firewall_open_to_world(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail when an enabled ingress rule from 0.0.0.0/0 (or ::/0) allows one of ``ports`` over one of
    ``protocols`` (``all``, or a protocol without ports, covers every port); ``ports: []`` fails only
    on rules that allow every port."""
    p = resource.properties
    if p.get("direction") is None or p.get("source_ranges") is None or p.get("allowed") is None:
        return None
    if p["direction"] != "INGRESS" or p.get("disabled") or not _world(p["source_ranges"]):
        return False, {}
    protocols = {str(x) for x in ctx.params["protocols"]}
    ports = [int(x) for x in ctx.params["ports"]]
    bad = []
    for a in p["allowed"]:
        proto = a["ip_protocol"]
        every_port = proto == "all" or (proto in protocols and not a["ports"])
        if every_port or (proto in protocols and any(_covers(s, port) for s in a["ports"] for port in ports)):
            bad.append(a)
    return (True, {"source_ranges": p["source_ranges"], "allowed": bad}) if bad else (False, {})


@shared_hook("gcp.sql_flag_not", resource_types=(m.SQL_INSTANCE,), params=("flag", "allowed", "unset"))
def sql_flag_not(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail when the Cloud SQL flag ``flag`` is not one of ``allowed`` (case ignored); an unset flag
    takes the value ``unset`` (``null``: an unset flag fails)."""
    flags = resource.properties.get("database_flags")
    if flags is None:
        return None
    name = str(ctx.params["flag"])
    value = flags.get(name, ctx.params.get("unset"))
    allowed = {str(x).lower() for x in ctx.params["allowed"]}
    if value is not None and str(value).lower() in allowed:
        return False, {}
    return True, {"flag": name, "value": flags.get(name)}


ESSENTIAL = ("LEGAL", "SECURITY", "SUSPENSION", "TECHNICAL", "TECHNICAL_INCIDENTS")


@shared_hook("gcp.essential_contacts_missing", resource_types=(m.ORGANIZATION,))
def essential_contacts_missing(resource: Resource, ctx: EvalContext) -> Verdict:
    """Fail unless essential contacts subscribe to ALL, or to every one of LEGAL, SECURITY, SUSPENSION,
    TECHNICAL and TECHNICAL_INCIDENTS."""
    cats = resource.properties.get("essential_contact_categories")
    if cats is None:
        return None
    if "ALL" in cats:
        return False, {}
    missing = [c for c in ESSENTIAL if c not in cats]
    return (True, {"missing_categories": missing}) if missing else (False, {})
