"""Elastic Load Balancing v2: application, network and gateway load balancers (``aws.elb.load_balancer``).

Regional scope. Bulk calls: one paginated DescribeLoadBalancers, DescribeTags per 20
load balancers, and, when any listener terminates TLS, one DescribeSSLPolicies for the
policies in use (it says which TLS versions each policy accepts). Per load balancer,
since no bulk form exists, through :meth:`CollectContext.call`: DescribeListeners and
DescribeLoadBalancerAttributes. Listeners are denormalised onto their load balancer.

An attribute the answer does not hold (AWS always returns them all) stays ``None``
(unknown), never "off".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.model.resource import Resource
from mamori.model.resources.elb import LOAD_BALANCER, ElbLoadBalancer

TLS_PROTOCOLS = ("HTTPS", "TLS")
_TAG_BATCH = 20  # DescribeTags takes at most 20 ARNs


def _flag(attrs: dict[str, str] | None, key: str) -> bool | None:
    if attrs is None or key not in attrs:
        return None
    return str(attrs[key]).lower() == "true"


def _action(a: dict[str, Any]) -> dict[str, Any]:
    redirect = a.get("RedirectConfig") or {}
    return {
        "type": str(a.get("Type", "")),
        "redirect_protocol": str(redirect.get("Protocol") or ""),
        "redirect_port": str(redirect.get("Port") or ""),
        "target_group_arn": str(a.get("TargetGroupArn") or ""),
    }


def listener_facts(lst: dict[str, Any], policies: Any) -> dict[str, Any]:
    """One listener as rules read it; ``policies`` maps SSL policy names to their TLS versions."""
    protocol = str(lst.get("Protocol", ""))
    tls = protocol in TLS_PROTOCOLS
    policy = str(lst.get("SslPolicy") or "") if tls else ""
    actions = [_action(a) for a in lst.get("DefaultActions") or []]
    if not tls:
        protocols: Any = []
    elif policies is MISSING or policy not in policies:
        protocols = None  # the policy's TLS versions could not be read
    else:
        protocols = policies[policy]
    return {
        "arn": str(lst.get("ListenerArn", "")),
        "port": lst.get("Port"),
        "protocol": protocol,
        "tls": tls,
        "ssl_policy": policy,
        "ssl_protocols": protocols,
        "certificates": [str(c["CertificateArn"]) for c in lst.get("Certificates") or [] if c.get("CertificateArn")],
        "default_actions": actions,
        "redirects_to_https": bool(actions) and all(
            a["type"] == "redirect" and a["redirect_protocol"] == "HTTPS" for a in actions
        ),
    }


@COLLECTORS.register("elbv2")
class ElbV2Collector(AwsCollector):
    service = "elbv2"
    scope = "regional"
    resource_types = (LOAD_BALANCER,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("elbv2", region)
        lbs = ctx.paginate(client, "describe_load_balancers", "LoadBalancers")
        if not lbs:
            return

        def call(operation: str, rid: str, **kw: Any) -> Any:
            return ctx.call(client, operation, region=region, resource_type=LOAD_BALANCER, resource_id=rid, **kw)

        tags = _tags(call, [str(lb["LoadBalancerArn"]) for lb in lbs])
        listeners = {str(lb["LoadBalancerArn"]): call("describe_listeners", str(lb["LoadBalancerArn"]),
                                                      LoadBalancerArn=lb["LoadBalancerArn"]) for lb in lbs}  # fmt: skip
        used = sorted({
            str(x["SslPolicy"]) for resp in listeners.values() if resp is not MISSING
            for x in resp.get("Listeners") or [] if x.get("Protocol") in TLS_PROTOCOLS and x.get("SslPolicy")
        })  # fmt: skip
        policies: Any = {}
        if used:
            resp = call("describe_ssl_policies", f"ssl-policies {region}", Names=used)
            policies = MISSING if resp is MISSING else {
                str(p["Name"]): sorted(str(v) for v in p.get("SslProtocols") or []) for p in resp.get("SslPolicies") or []
            }  # fmt: skip
        for lb in lbs:
            arn = str(lb["LoadBalancerArn"])
            attrs = call("describe_load_balancer_attributes", arn, LoadBalancerArn=arn)
            yield _load_balancer(ctx, region, lb, listeners[arn], attrs, policies, tags.get(arn, {}))


def _tags(call: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for i in range(0, len(arns), _TAG_BATCH):
        batch = arns[i : i + _TAG_BATCH]
        resp = call("describe_tags", batch[0], ResourceArns=batch)
        if resp is MISSING:
            continue
        for d in resp.get("TagDescriptions") or []:
            out[str(d.get("ResourceArn"))] = tags_of(d.get("Tags"))
    return out


def _load_balancer(
    ctx: CollectContext, region: str, lb: dict[str, Any], listeners: Any, attrs_resp: Any, policies: Any, tags: dict[str, str]
) -> Resource:
    arn = str(lb["LoadBalancerArn"])
    attrs: dict[str, str] | None = None
    if attrs_resp is not MISSING:
        attrs = {str(a.get("Key")): str(a.get("Value", "")) for a in attrs_resp.get("Attributes") or []}
    found = MISSING if listeners is MISSING else [listener_facts(x, policies) for x in listeners.get("Listeners") or []]
    props: dict[str, Any] = {
        "type": str(lb.get("Type", "")),
        "scheme": str(lb.get("Scheme", "")),
        "state": str((lb.get("State") or {}).get("Code", "")),
        "dns_name": str(lb.get("DNSName", "")),
        "vpc_id": str(lb.get("VpcId") or ""),
        "security_groups": [str(g) for g in lb.get("SecurityGroups") or []],
        "ip_address_type": str(lb.get("IpAddressType", "")),
        "created": iso(lb.get("CreatedTime")) or "",
        "listeners": found,
        "attributes": MISSING if attrs is None else attrs,
        "access_logs_enabled": _flag(attrs, "access_logs.s3.enabled"),
        "access_logs_bucket": None if attrs is None else attrs.get("access_logs.s3.bucket", ""),
        "deletion_protection": _flag(attrs, "deletion_protection.enabled"),
        "drop_invalid_header_fields": _flag(attrs, "routing.http.drop_invalid_header_fields.enabled"),
        "desync_mitigation_mode": None if attrs is None else attrs.get("routing.http.desync_mitigation_mode"),
    }
    name = str(lb.get("LoadBalancerName") or arn)
    return ctx.resource(ElbLoadBalancer.of(props), region, arn, arn=arn, name=name, tags=tags)
