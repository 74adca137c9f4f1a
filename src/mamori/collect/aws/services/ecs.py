"""ECS: services (``aws.ecs.service``) with the images they run and how they are reached.

Regional. Per cluster: ``ListServices`` (paginated) and ``DescribeServices`` (10 at a time,
with tags); per distinct task definition ``DescribeTaskDefinition`` (the container images and
network mode); per service ``ListTasks`` and ``DescribeTasks`` (100 at a time: the digests the
running containers report); for the target groups of all services, ``elbv2:DescribeTargetGroups``
(20 at a time: which load balancers front the service). A failing detail call leaves the
properties it feeds ``None`` (unknown), which the exposure reads as "assumed open".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext
from mamori.model.resource import Resource
from mamori.model.resources.ecs import SERVICE, EcsService


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@COLLECTORS.register("ecs")
class EcsCollector(AwsCollector):
    service = "ecs"
    scope = "regional"
    resource_types = (SERVICE,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("ecs", region)
        clusters = [str(c) for c in ctx.paginate(client, "list_clusters", "clusterArns")]
        services: list[dict[str, Any]] = []
        for cluster in clusters:
            arns = [str(a) for a in ctx.paginate(client, "list_services", "serviceArns", cluster=cluster)]
            for batch in _batches(arns, 10):
                resp = ctx.call(client, "describe_services", region=region, resource_type=SERVICE,
                                resource_id=batch[0], cluster=cluster, services=batch, include=["TAGS"])  # fmt: skip
                if resp is not MISSING:
                    services.extend(resp.get("services") or [])
        if not services:
            return
        task_defs: dict[str, Any] = {}
        for svc in services:
            td = str(svc.get("taskDefinition") or "")
            if td and td not in task_defs:
                resp = ctx.call(client, "describe_task_definition", region=region, resource_type=SERVICE,
                                resource_id=td, taskDefinition=td)  # fmt: skip
                task_defs[td] = MISSING if resp is MISSING else (resp.get("taskDefinition") or {})
        target_lbs = _target_groups(ctx, region, services)
        for svc in services:
            yield _service(ctx, client, region, svc, task_defs, target_lbs)


def _target_groups(ctx: CollectContext, region: str, services: list[dict[str, Any]]) -> dict[str, Any]:
    """Target group ARN -> the ARNs of its load balancers (MISSING when the call failed)."""
    wanted = sorted({str(lb["targetGroupArn"]) for s in services for lb in s.get("loadBalancers") or []
                     if lb.get("targetGroupArn")})  # fmt: skip
    out: dict[str, Any] = {}
    if not wanted:
        return out
    elbv2 = ctx.client("elbv2", region)
    for batch in _batches(wanted, 20):
        resp = ctx.call(elbv2, "describe_target_groups", region=region, resource_type=SERVICE,
                        resource_id=batch[0], TargetGroupArns=batch)  # fmt: skip
        if resp is MISSING:
            out |= dict.fromkeys(batch, MISSING)
            continue
        for tg in resp.get("TargetGroups") or []:
            out[str(tg["TargetGroupArn"])] = [str(a) for a in tg.get("LoadBalancerArns") or []]
    return out


def _running_digests(ctx: CollectContext, client: Any, region: str, cluster: str, name: str) -> Any:
    def call(op: str, **kw: Any) -> Any:
        return ctx.call(client, op, region=region, resource_type=SERVICE, resource_id=name, cluster=cluster, **kw)

    listed = call("list_tasks", serviceName=name)
    if listed is MISSING:
        return MISSING
    digests: set[str] = set()
    for batch in _batches([str(t) for t in listed.get("taskArns") or []], 100):
        resp = call("describe_tasks", tasks=batch)
        if resp is MISSING:
            return MISSING
        for task in resp.get("tasks") or []:
            digests |= {str(c["imageDigest"]) for c in task.get("containers") or [] if c.get("imageDigest")}
    return digests


def _service(ctx: CollectContext, client: Any, region: str, svc: dict[str, Any], task_defs: dict[str, Any],
             target_lbs: dict[str, Any]) -> Resource:  # fmt: skip
    name = str(svc.get("serviceName") or "")
    cluster = str(svc.get("clusterArn") or "")
    td = task_defs.get(str(svc.get("taskDefinition") or ""), MISSING)
    images: Any = MISSING if td is MISSING else [str(c.get("image")) for c in td.get("containerDefinitions") or []
                                                  if c.get("image")]  # fmt: skip
    running = _running_digests(ctx, client, region, cluster, name)
    from_refs = set() if images is MISSING else {i.split("@", 1)[1] for i in images if "@" in i}
    digests: Any = MISSING if running is MISSING and images is MISSING else sorted(
        from_refs | (set() if running is MISSING else running))  # fmt: skip
    vpc = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    lbs = svc.get("loadBalancers") or []
    groups = [str(lb["targetGroupArn"]) for lb in lbs if lb.get("targetGroupArn")]
    lb_arns: Any = []
    for g in groups:
        got = target_lbs.get(g, MISSING)
        if got is MISSING:
            lb_arns = MISSING
            break
        lb_arns += [a for a in got if a not in lb_arns]
    props: dict[str, Any] = {
        "cluster": cluster,
        "status": str(svc.get("status") or ""),
        "launch_type": str(svc.get("launchType") or ("capacity-provider" if svc.get("capacityProviderStrategy")
                                                      else "")),  # fmt: skip
        "task_definition": str(svc.get("taskDefinition") or ""),
        "desired_count": int(svc.get("desiredCount") or 0),
        "running_count": int(svc.get("runningCount") or 0),
        "images": images,
        "image_digests": digests,
        "network_mode": MISSING if td is MISSING else str(td.get("networkMode") or "bridge"),
        "assign_public_ip": (str(vpc.get("assignPublicIp") or "DISABLED").upper() == "ENABLED") if vpc else
                            (MISSING if td is MISSING or td.get("networkMode") != "awsvpc" else False),  # fmt: skip
        "subnet_ids": [str(s) for s in vpc.get("subnets") or []],
        "security_group_ids": [str(s) for s in vpc.get("securityGroups") or []],
        "target_group_arns": groups,
        "load_balancer_arns": lb_arns,
        "classic_load_balancers": [str(lb["loadBalancerName"]) for lb in lbs if lb.get("loadBalancerName")],
    }
    tags = {str(t.get("key")): str(t.get("value", "")) for t in svc.get("tags") or []}
    arn = str(svc.get("serviceArn") or ctx.arn("ecs", region, f"service/{cluster.rsplit('/', 1)[-1]}/{name}"))
    rid = f"{cluster.rsplit('/', 1)[-1]}/{name}"
    return ctx.resource(EcsService.of(props), region, rid, arn=arn, name=name, tags=tags)
