"""Classic Load Balancers (``aws.elb.classic_load_balancer``), with their listeners and TLS policies.

Regional scope. Bulk calls: one paginated DescribeLoadBalancers (listeners included) and
DescribeTags per 20 load balancers. Per load balancer, through
:meth:`CollectContext.call`: DescribeLoadBalancerAttributes (access logs) and, only for
load balancers with an HTTPS or SSL listener, DescribeLoadBalancerPolicies (which
predefined security policy each listener's SSL negotiation policy references, and the
TLS versions it enables).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.model.resource import Resource
from mamori.model.resources.elb import CLASSIC, ElbClassicLoadBalancer

ENCRYPTED = ("HTTPS", "SSL")
_TAG_BATCH = 20


def ssl_policies(resp: Any) -> Any:
    """SSL negotiation policies by name: the predefined policy they reference and the protocols they enable."""
    if resp is MISSING:
        return MISSING
    out: dict[str, dict[str, Any]] = {}
    for p in resp.get("PolicyDescriptions") or []:
        if p.get("PolicyTypeName") != "SSLNegotiationPolicyType":
            continue
        attrs = {str(a.get("AttributeName", "")): str(a.get("AttributeValue", "")) for a in p.get("PolicyAttributeDescriptions") or []}
        out[str(p.get("PolicyName"))] = {
            "reference": attrs.get("Reference-Security-Policy", ""),
            "protocols": sorted(k.removeprefix("Protocol-") for k, v in attrs.items() if k.startswith("Protocol-") and v.lower() == "true"),
        }
    return out


def _listener(d: dict[str, Any], policies: Any) -> dict[str, Any]:
    lst = d.get("Listener") or {}
    protocol = str(lst.get("Protocol", "")).upper()
    names = [str(n) for n in d.get("PolicyNames") or []]
    encrypted = protocol in ENCRYPTED
    reference: Any = ""
    protocols: Any = []
    if encrypted:
        if policies is MISSING:
            reference = protocols = None
        else:
            ssl = next((policies[n] for n in names if n in policies), None)
            reference, protocols = (ssl["reference"], ssl["protocols"]) if ssl else ("", [])
    return {
        "protocol": protocol,
        "port": lst.get("LoadBalancerPort"),
        "instance_protocol": str(lst.get("InstanceProtocol", "")).upper(),
        "instance_port": lst.get("InstancePort"),
        "encrypted": encrypted,
        "ssl_certificate_id": str(lst.get("SSLCertificateId") or ""),
        "policy_names": names,
        "ssl_policy_reference": reference,
        "ssl_protocols": protocols,
    }


@COLLECTORS.register("elb")
class ClassicElbCollector(AwsCollector):
    service = "elb"
    scope = "regional"
    resource_types = (CLASSIC,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("elb", region)
        lbs = ctx.paginate(client, "describe_load_balancers", "LoadBalancerDescriptions")
        if not lbs:
            return

        def call(operation: str, rid: str, **kw: Any) -> Any:
            return ctx.call(client, operation, region=region, resource_type=CLASSIC, resource_id=rid, **kw)

        names = [str(lb["LoadBalancerName"]) for lb in lbs]
        tags: dict[str, dict[str, str]] = {}
        for i in range(0, len(names), _TAG_BATCH):
            batch = names[i : i + _TAG_BATCH]
            resp = call("describe_tags", batch[0], LoadBalancerNames=batch)
            for d in [] if resp is MISSING else resp.get("TagDescriptions") or []:
                tags[str(d.get("LoadBalancerName"))] = tags_of(d.get("Tags"))
        for lb in lbs:
            name = str(lb["LoadBalancerName"])
            attrs = call("describe_load_balancer_attributes", name, LoadBalancerName=name)
            descriptions = lb.get("ListenerDescriptions") or []
            tls = any(str((d.get("Listener") or {}).get("Protocol", "")).upper() in ENCRYPTED for d in descriptions)
            policies = ssl_policies(call("describe_load_balancer_policies", name, LoadBalancerName=name)) if tls else {}
            yield _classic(ctx, region, lb, attrs, policies, tags.get(name, {}))


def _classic(
    ctx: CollectContext, region: str, lb: dict[str, Any], attrs: Any, policies: Any, tags: dict[str, str]
) -> Resource:
    name = str(lb["LoadBalancerName"])
    listeners = [_listener(d, policies) for d in lb.get("ListenerDescriptions") or []]
    access_log = MISSING if attrs is MISSING else (attrs.get("LoadBalancerAttributes") or {}).get("AccessLog")
    props: dict[str, Any] = {
        "scheme": str(lb.get("Scheme", "")),
        "dns_name": str(lb.get("DNSName", "")),
        "vpc_id": str(lb.get("VPCId") or ""),
        "security_groups": [str(g) for g in lb.get("SecurityGroups") or []],
        "availability_zones": [str(z) for z in lb.get("AvailabilityZones") or []],
        "instances": [str(i.get("InstanceId")) for i in lb.get("Instances") or [] if i.get("InstanceId")],
        "created": iso(lb.get("CreatedTime")) or "",
        "listeners": listeners,
        "access_logs_enabled": None if not isinstance(access_log, dict) else bool(access_log.get("Enabled", False)),
        "access_logs_bucket": None if not isinstance(access_log, dict) else str(access_log.get("S3BucketName") or ""),
    }
    arn = ctx.arn("elasticloadbalancing", region, f"loadbalancer/{name}")
    return ctx.resource(ElbClassicLoadBalancer.of(props), region, name, arn=arn, name=name, tags=tags)
