"""ECR (`ecr`): the typed properties of each resource type (see docs/resources/ecr.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

REPOSITORY = "aws.ecr.repository"
IMAGE = "aws.ecr.image"


@resource_type(REPOSITORY)
class EcrRepository(Props):
    """`aws.ecr.repository`"""

    created: str | None = None
    uri: str | None = None
    image_tag_mutability: str | None = None
    tags_immutable: bool | None = None
    scan_on_push: bool | None = None
    registry_scan_type: str | None = None
    scan_frequency: str | None = None
    scanning_configured: bool | None = None
    encryption_type: str | None = None
    kms_key: str | None = None
    lifecycle_policy_present: bool | None = None
    policy: dict[str, Any] | None = None
    policy_present: bool | None = None
    policy_public: bool | None = None
    policy_public_statements: list[dict[str, Any]] | None = None


@resource_type(IMAGE)
class EcrImage(Props):
    """`aws.ecr.image`"""

    repository: str | None = None
    repository_uri: str | None = None
    digest: str | None = None
    image_tags: list[str] | None = None
    pushed_at: str | None = None
    size_bytes: int | None = None
