"""CloudFront (`cloudfront`): the typed properties of each resource type (see docs/resources/cloudfront.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Entry, Props, resource_type

DISTRIBUTION = "aws.cloudfront.distribution"


class Origin(Entry):
    """An origin of a distribution: ``kind`` is ``s3`` or ``custom``."""

    id: str | None = None
    domain_name: str | None = None
    kind: str | None = None
    origin_protocol_policy: str | None = None
    origin_ssl_protocols: list[str] | None = None
    origin_access_identity: str | None = None
    origin_access_control_id: str | None = None


@resource_type(DISTRIBUTION)
class CloudFrontDistribution(Props):
    """`aws.cloudfront.distribution`"""

    domain_name: str | None = None
    aliases: list[str] | None = None
    enabled: bool | None = None
    status: str | None = None
    last_modified: str | None = None
    price_class: str | None = None
    http_version: str | None = None
    cache_behaviors: list[dict[str, Any]] | None = None
    viewer_protocol_policies: list[str] | None = None
    origins: list[Origin] | None = None
    viewer_certificate_custom: bool | None = None
    viewer_certificate: str | None = None
    viewer_ssl_support_method: str | None = None
    viewer_minimum_protocol_version: str | None = None
    web_acl_id: str | None = None
    logging_enabled: bool | None = None
    logging_bucket: str | None = None
    default_root_object: str | None = None
