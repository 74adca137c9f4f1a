"""CloudFront: web distributions (``aws.cloudfront.distribution``), a global service.

Global scope (once per account). Bulk call: paginated ListDistributions, whose summaries
hold the cache behaviours' viewer protocol policies, origins, viewer certificate and web
ACL. Per distribution, through :meth:`CollectContext.call`: GetDistributionConfig (the
summary lacks logging and the default root object) and ListTagsForResource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.model.resource import GLOBAL, Resource
from mamori.model.resources.cloudfront import DISTRIBUTION, CloudFrontDistribution


def _items(block: Any) -> list[Any]:
    return list((block or {}).get("Items") or [])


def _behaviour(b: dict[str, Any], path: str) -> dict[str, Any]:
    return {
        "path_pattern": path,
        "target_origin_id": str(b.get("TargetOriginId", "")),
        "viewer_protocol_policy": str(b.get("ViewerProtocolPolicy", "")),
    }


def _origin(o: dict[str, Any]) -> dict[str, Any]:
    custom = o.get("CustomOriginConfig")
    s3 = o.get("S3OriginConfig")
    return {
        "id": str(o.get("Id", "")),
        "domain_name": str(o.get("DomainName", "")),
        "kind": "custom" if custom else "s3",
        "origin_access_control_id": str(o.get("OriginAccessControlId") or ""),
        "origin_access_identity": str((s3 or {}).get("OriginAccessIdentity") or ""),
        "origin_protocol_policy": str((custom or {}).get("OriginProtocolPolicy") or ""),
        "origin_ssl_protocols": [str(p) for p in _items((custom or {}).get("OriginSslProtocols"))],
    }


def list_distributions(client: Any) -> list[dict[str, Any]]:
    """Every distribution summary (the items sit under ``DistributionList``)."""
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("list_distributions").paginate():
        out.extend(_items(page.get("DistributionList")))
    return out


@COLLECTORS.register("cloudfront")
class CloudFrontCollector(AwsCollector):
    service = "cloudfront"
    scope = "global"
    resource_types = (DISTRIBUTION,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("cloudfront")
        for d in list_distributions(client):
            yield _distribution(ctx, client, d)


def _distribution(ctx: CollectContext, client: Any, d: dict[str, Any]) -> Resource:
    did = str(d["Id"])
    arn = str(d.get("ARN") or f"arn:{ctx.partition}:cloudfront::{ctx.account}:distribution/{did}")

    def call(operation: str, **kw: Any) -> Any:
        return ctx.call(client, operation, region=GLOBAL, resource_type=DISTRIBUTION, resource_id=did, **kw)

    config = call("get_distribution_config", Id=did)
    cfg: dict[str, Any] = {} if config is MISSING else config.get("DistributionConfig") or {}
    tags_resp = call("list_tags_for_resource", Resource=arn)
    behaviours = [_behaviour(d.get("DefaultCacheBehavior") or {}, "*")]
    behaviours += [_behaviour(b, str(b.get("PathPattern", ""))) for b in _items(d.get("CacheBehaviors"))]
    cert = d.get("ViewerCertificate") or {}
    custom_cert = str(cert.get("ACMCertificateArn") or cert.get("IAMCertificateId") or "")
    logging = cfg.get("Logging") or {}

    def known(value: Any) -> Any:
        return MISSING if config is MISSING else value

    props: dict[str, Any] = {
        "domain_name": str(d.get("DomainName", "")),
        "aliases": [str(a) for a in _items(d.get("Aliases"))],
        "enabled": bool(d.get("Enabled", False)),
        "status": str(d.get("Status", "")),
        "last_modified": iso(d.get("LastModifiedTime")) or "",
        "price_class": str(d.get("PriceClass", "")),
        "http_version": str(d.get("HttpVersion", "")),
        "cache_behaviors": behaviours,
        "viewer_protocol_policies": sorted({b["viewer_protocol_policy"] for b in behaviours}),
        "origins": [_origin(o) for o in _items(d.get("Origins"))],
        "viewer_certificate_custom": bool(custom_cert),
        "viewer_certificate": custom_cert,
        "viewer_ssl_support_method": str(cert.get("SSLSupportMethod") or ""),
        "viewer_minimum_protocol_version": str(cert.get("MinimumProtocolVersion") or ""),
        "web_acl_id": str(d.get("WebACLId") or ""),
        "logging_enabled": known(bool(logging.get("Enabled", False))),
        "logging_bucket": known(str(logging.get("Bucket") or "") if logging.get("Enabled") else ""),
        "default_root_object": known(str(cfg.get("DefaultRootObject") or "")),
    }
    tags = {} if tags_resp is MISSING else tags_of((tags_resp.get("Tags") or {}).get("Items"))
    name = props["aliases"][0] if props["aliases"] else str(d.get("Comment") or "") or did
    return ctx.resource(CloudFrontDistribution.of(props), GLOBAL, did, arn=arn, name=name, tags=tags)
