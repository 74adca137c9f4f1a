"""Demo CloudFront (prod, a global service): the main website done right, an old download site not.

* ``www.acme.example``: every behaviour redirects to HTTPS, own ACM certificate with
  TLSv1.2_2021, the API origin over HTTPS with TLS 1.2 only, standard logging to
  ``acme-prod-logs``, the ``acme-edge`` WAF web ACL, ``index.html`` as default root object:
  passes every CloudFront rule.
* ``downloads.acme.example``: viewers may use HTTP, TLSv1_2016 on its certificate, the origin
  reached with ``match-viewer`` and SSLv3/TLSv1 allowed, no logging, no WAF, no default
  root object: fails every one.
"""

from __future__ import annotations

from typing import Any

from mamori.demo.estate import SeedEnv, seeder

VIRGINIA = "us-east-1"  # CloudFront certificates and web ACLs live in us-east-1


def _behaviour(origin: str, policy: str, path: str = "") -> dict[str, Any]:
    b: dict[str, Any] = {
        "TargetOriginId": origin,
        "ViewerProtocolPolicy": policy,
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "TrustedSigners": {"Enabled": False, "Quantity": 0},
    }
    if path:
        b["PathPattern"] = path
    return b


def _custom_origin(oid: str, domain: str, policy: str, protocols: list[str]) -> dict[str, Any]:
    return {
        "Id": oid,
        "DomainName": domain,
        "CustomOriginConfig": {
            "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": policy,
            "OriginSslProtocols": {"Quantity": len(protocols), "Items": protocols},
        },
    }  # fmt: skip


def _web_acl(env: SeedEnv) -> str:
    acl = env.client("wafv2", VIRGINIA).create_web_acl(
        Name="acme-edge", Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acme-edge"},
    )  # fmt: skip
    return str(acl["Summary"]["ARN"])


@seeder("cloudfront", order=50)
def seed_cloudfront(env: SeedEnv) -> None:
    cf = env.client("cloudfront", VIRGINIA)
    acm = env.client("acm", VIRGINIA)
    www_cert = acm.request_certificate(DomainName="www.acme.example")["CertificateArn"]
    downloads_cert = acm.request_certificate(DomainName="downloads.acme.example")["CertificateArn"]
    site = {"Id": "site", "DomainName": "acme-marketing-site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}

    cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": {
            "CallerReference": "acme-www", "Comment": "acme website", "Enabled": True,
            "Aliases": {"Quantity": 1, "Items": ["www.acme.example"]},
            "DefaultRootObject": "index.html",
            "Origins": {"Quantity": 2, "Items": [site, _custom_origin("api", "billing.acme.example", "https-only", ["TLSv1.2"])]},
            "DefaultCacheBehavior": _behaviour("site", "redirect-to-https"),
            "CacheBehaviors": {"Quantity": 1, "Items": [_behaviour("api", "https-only", "/api/*")]},
            "Logging": {"Enabled": True, "IncludeCookies": False, "Bucket": "acme-prod-logs.s3.amazonaws.com", "Prefix": "cloudfront/www/"},
            "WebACLId": _web_acl(env),
            "ViewerCertificate": {"ACMCertificateArn": www_cert, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
        },
        "Tags": {"Items": [{"Key": "owner", "Value": "marketing"}]},
    })  # fmt: skip

    cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": {
            "CallerReference": "acme-downloads", "Comment": "legacy downloads", "Enabled": True,
            "Aliases": {"Quantity": 1, "Items": ["downloads.acme.example"]},
            "Origins": {"Quantity": 1, "Items": [_custom_origin("files", "files.acme.example", "match-viewer", ["SSLv3", "TLSv1"])]},
            "DefaultCacheBehavior": _behaviour("files", "allow-all"),
            "ViewerCertificate": {"ACMCertificateArn": downloads_cert, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1_2016"},
        },
        "Tags": {"Items": [{"Key": "owner", "Value": "platform"}]},
    })  # fmt: skip
