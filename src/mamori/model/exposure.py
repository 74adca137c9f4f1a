"""Where an image runs and whether that is reachable from the internet, read from an inventory (pure).

* :func:`runs_image` -- the workloads that run an image digest (``sha256:...``): ECS services
  (a task definition naming ``repo@digest``, a running task reporting the digest, or
  ``repo:tag`` that the inventory's ECR images resolve to the digest) and Lambda functions
  packaged as a container image (the resolved image URI's digest, or its tag through ECR).
* :func:`workload_rows` -- the same as JSON-able rows (what ``scan_workloads`` stores), split for a
  scan collected in parts (a distributed scan's shards, an org scan's accounts): exposure needs
  only the workload's own account and Region (its load balancers, security groups, function URL),
  but a ``repo:tag`` may name another account's or Region's ECR repository, so a part also gives
  the refs it could not resolve and its own ECR tags, and :func:`resolve_rows` joins them.
* :func:`exposure_of` -- ``open`` (reachable from the internet), ``controlled`` (only from
  inside a network or behind authentication) for one resource, with the reason. What the
  inventory cannot tell is ``open`` and says so: a missing security group or load balancer
  never lowers the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mamori.model.resource import Inventory, Resource

OPEN, CONTROLLED = "open", "controlled"
ECS_SERVICE, LAMBDA_FUNCTION, ECR_IMAGE = "aws.ecs.service", "aws.lambda.function", "aws.ecr.image"
EC2_INSTANCE, SECURITY_GROUP = "aws.ec2.instance", "aws.ec2.security_group"
LOAD_BALANCERS = ("aws.elb.load_balancer", "aws.elb.classic_load_balancer")


@dataclass(frozen=True)
class Workload:
    """A resource that runs an image, with its exposure and why."""

    resource: Resource
    digest: str
    exposure: str
    note: str


def _label(r: Resource) -> str:
    return r.name or r.id


def _world_open(inv: Inventory, account: str, ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(security groups open to the world, security groups not in the inventory) among ``ids``."""
    groups = {g.id: g for g in inv.of_type(SECURITY_GROUP) if g.account == account}
    ids = list(ids)
    missing = [i for i in ids if i not in groups]
    world = [i for i in ids if i in groups and any(
        rule.get("open_to_world") for rule in groups[i].properties.get("ingress") or [])]  # fmt: skip
    return world, missing


def _load_balancer(inv: Inventory, r: Resource) -> tuple[str, str]:
    if str(r.properties.get("scheme", "")).lower() == "internet-facing":
        return OPEN, f"load balancer {_label(r)}: internet-facing"
    return CONTROLLED, f"load balancer {_label(r)}: internal"


def _ecs(inv: Inventory, r: Resource) -> tuple[str, str]:
    p = r.properties
    what = f"ECS service {_label(r)}"
    arns = list(p.get("load_balancer_arns") or [])
    lbs = {lb.arn: lb for lb in inv.of_type(LOAD_BALANCERS[0])}
    classic = {lb.name or lb.id: lb for lb in inv.of_type(LOAD_BALANCERS[1])
               if lb.account == r.account and lb.region == r.region}  # names are unique per Region only
    for arn in arns:
        if arn not in lbs:
            return OPEN, f"{what}: behind load balancer {arn}, not in the inventory (assumed internet-facing)"
        if str(lbs[arn].properties.get("scheme", "")).lower() == "internet-facing":
            return OPEN, f"{what}: behind internet-facing load balancer {_label(lbs[arn])}"
    for name in p.get("classic_load_balancers") or []:
        if name not in classic or str(classic[name].properties.get("scheme", "")).lower() == "internet-facing":
            return OPEN, f"{what}: behind classic load balancer {name} (internet-facing or not in the inventory)"
    if p.get("target_group_arns") and p.get("load_balancer_arns") is None:
        return OPEN, f"{what}: behind a load balancer that was not collected (assumed internet-facing)"
    if p.get("assign_public_ip") is True:
        return _public_ip(inv, r, what)
    if p.get("assign_public_ip") is None and str(p.get("network_mode") or "") != "awsvpc":
        return OPEN, f"{what}: network mode {p.get('network_mode') or 'unknown'}: the hosts' reachability " \
                     "is not assessed (assumed open)"  # fmt: skip
    lb_note = "internal load balancer(s) only" if arns else "no load balancer"
    return CONTROLLED, f"{what}: no public IP, {lb_note}"


def _public_ip(inv: Inventory, r: Resource, what: str) -> tuple[str, str]:
    """A workload with a public IP is open when one of its security groups is open to the world or unknown."""
    world, missing = _world_open(inv, r.account, r.properties.get("security_group_ids") or [])
    if world:
        return OPEN, f"{what}: public IP, security group {world[0]} open to the world"
    if missing:
        return OPEN, f"{what}: public IP, security group {missing[0]} not in the inventory"
    return CONTROLLED, f"{what}: public IP, no security group open to the world"


def exposure_of(inv: Inventory, r: Resource) -> tuple[str, str]:
    """(``open`` | ``controlled``, why) for a resource a project or an image runs on."""
    p = r.properties
    if r.type == LAMBDA_FUNCTION:
        if p.get("url") and str(p.get("url_auth_type", "")).upper() == "NONE":
            return OPEN, f"Lambda {_label(r)}: function URL without auth"
        if p.get("policy_public") is True:
            return OPEN, f"Lambda {_label(r)}: resource policy open to anyone"
        if p.get("url", "") is None or p.get("policy_public", False) is None:  # a detail call failed
            return OPEN, f"Lambda {_label(r)}: URL or resource policy not collected (assumed open)"
        return CONTROLLED, f"Lambda {_label(r)}: no public URL or policy"
    if r.type == EC2_INSTANCE:
        if not p.get("public_ip"):
            return CONTROLLED, f"EC2 {r.id}: no public IP"
        return _public_ip(inv, r, f"EC2 {r.id}")
    if r.type in LOAD_BALANCERS:
        return _load_balancer(inv, r)
    if r.type == ECS_SERVICE:
        return _ecs(inv, r)
    return OPEN, f"{r.type} {r.id}: reachability not assessed (assumed open)"


def _split(ref: str) -> tuple[str, str | None, str | None]:
    """``repo[:tag][@digest]`` -> (repo, tag, digest)."""
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    tag = None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    return ref, tag, digest


def _ecr_tags(inv: Inventory) -> dict[tuple[str, str], str]:
    """(repository URI, tag) -> digest, from the inventory's ECR images."""
    out: dict[tuple[str, str], str] = {}
    for img in inv.of_type(ECR_IMAGE):
        uri, digest = img.properties.get("repository_uri"), img.properties.get("digest")
        if uri and digest:
            for tag in img.properties.get("image_tags") or []:
                out[(str(uri), str(tag))] = str(digest)
    return out


def image_digests(r: Resource, tags: dict[tuple[str, str], str]) -> set[str]:
    """The image digests a workload runs: named by digest, reported by its tasks, or resolved from a tag."""
    p = r.properties
    refs: list[str] = []
    found: set[str] = set()
    if r.type == ECS_SERVICE:
        refs = [str(i) for i in p.get("images") or []]
        found |= {str(d) for d in p.get("image_digests") or []}
    elif r.type == LAMBDA_FUNCTION:  # the digest Lambda resolved at deployment wins over the tag's current one
        if p.get("image_digest"):
            return {str(p["image_digest"])}
        refs = [str(p["image_uri"])] if p.get("image_uri") else []
    for ref in refs:
        repo, tag, digest = _split(ref)
        if digest:
            found.add(digest)
        elif (repo, tag or "latest") in tags:
            found.add(tags[(repo, tag or "latest")])
    return found


def _refs(r: Resource) -> list[str]:
    p = r.properties
    if r.type == ECS_SERVICE:
        return [str(i) for i in p.get("images") or []]
    if r.type == LAMBDA_FUNCTION and not p.get("image_digest") and p.get("image_uri"):
        return [str(p["image_uri"])]
    return []


def unresolved_refs(r: Resource, tags: Mapping[tuple[str, str], str]) -> list[tuple[str, str]]:
    """The ``(repository, tag)`` refs of a workload that neither name a digest nor resolve through ``tags``."""
    out = []
    for ref in _refs(r):
        repo, tag, digest = _split(ref)
        if not digest and (repo, tag or "latest") not in tags:
            out.append((repo, tag or "latest"))
    return sorted(set(out))


MAX_TAGS = 20_000
"""At most this many (repository, tag) -> digest entries travel with one part (the most recently pushed first)."""


def _row(r: Resource, digest: str, exposure: str, note: str) -> dict[str, Any]:
    return {"digest": digest[:80], "resource_type": r.type, "resource_id": r.id, "resource_arn": r.arn or "",
            "name": r.name or "", "account": r.account, "region": r.region, "exposure": exposure, "note": note,
            "tags": dict(r.tags)}  # fmt: skip


def workload_rows(inv: Inventory) -> dict[str, Any]:
    """The workload rows of one part of a scan (JSON-able): ``rows`` (one per workload and digest),
    ``pending`` (rows without a digest whose refs, ``refs``, name an ECR image this part did not
    collect: another account's or Region's) and ``ecr_tags`` (``[repository URI, tag, digest]`` of
    this part's ECR images, for the other parts' pending refs; at most :data:`MAX_TAGS`)."""
    tags = _ecr_tags(inv)
    rows: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for r in inv:
        if r.type not in (ECS_SERVICE, LAMBDA_FUNCTION):
            continue
        digests, refs = image_digests(r, tags), unresolved_refs(r, tags)
        if not digests and not refs:
            continue
        exposure, note = exposure_of(inv, r)
        rows.extend(_row(r, d, exposure, note) for d in sorted(digests))
        if refs:
            pending.append(_row(r, "", exposure, note) | {"refs": [list(x) for x in refs]})
    images = sorted(inv.of_type(ECR_IMAGE), key=lambda i: str(i.properties.get("pushed_at") or ""), reverse=True)
    ecr: list[list[str]] = []
    for img in images:
        uri, digest = img.properties.get("repository_uri"), img.properties.get("digest")
        if uri and digest:
            ecr.extend([str(uri), str(t), str(digest)] for t in img.properties.get("image_tags") or [])
    return {"rows": rows, "pending": pending, "ecr_tags": sorted(ecr[:MAX_TAGS])}


def resolve_rows(parts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Join the parts' :func:`workload_rows`: every part's rows, and its pending refs resolved
    through every part's ECR tags, as :func:`workloads` resolves them over one whole inventory."""
    parts = list(parts)
    tags: dict[tuple[str, str], str] = {}
    for p in parts:
        for uri, tag, digest in p.get("ecr_tags") or ():
            tags[(str(uri), str(tag))] = str(digest)
    rows: list[dict[str, Any]] = []
    have: set[tuple[str, ...]] = set()
    for p in parts:
        for r in p.get("rows") or ():
            key = (r["resource_type"], r["account"], r["region"], r["resource_id"], r["digest"])
            if key not in have:  # one row per workload and digest, however often a part comes
                have.add(key)
                rows.append(dict(r))
    for p in parts:
        for w in p.get("pending") or ():
            found = {tags[(str(a), str(b))] for a, b in w.get("refs") or () if (str(a), str(b)) in tags}
            for digest in sorted(found):
                at = (w["resource_type"], w["account"], w["region"], w["resource_id"], digest[:80])
                if at not in have:
                    have.add(at)
                    rows.append({k: v for k, v in w.items() if k != "refs"} | {"digest": digest[:80]})
    return sort_rows(rows)


def sort_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows in one order whatever the parts' order (account, Region, type, id, digest)."""
    return sorted((dict(r) for r in rows),
                  key=lambda r: (r["account"], r["region"], r["resource_type"], r["resource_id"], r["digest"]))  # fmt: skip


def workloads(inv: Inventory) -> list[Workload]:
    """Every (workload, digest) pair of the inventory, with the workload's exposure."""
    tags = _ecr_tags(inv)
    out: list[Workload] = []
    for r in inv:
        if r.type not in (ECS_SERVICE, LAMBDA_FUNCTION):
            continue
        digests = image_digests(r, tags)
        if not digests:
            continue
        exposure, note = exposure_of(inv, r)
        out.extend(Workload(r, d, exposure, note) for d in sorted(digests))
    return out


def runs_image(inv: Inventory, digest: str) -> list[Resource]:
    """The workloads of ``inv`` that run the image ``digest``."""
    return [w.resource for w in workloads(inv) if w.digest == digest]
