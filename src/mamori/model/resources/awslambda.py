"""Lambda (`lambda`): the typed properties of each resource type (see docs/resources/lambda.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

FUNCTION = "aws.lambda.function"


@resource_type(FUNCTION)
class LambdaFunction(Props):
    """`aws.lambda.function`"""

    runtime: str | None = None
    package_type: str | None = None
    handler: str | None = None
    role: str | None = None
    last_modified: str | None = None
    architectures: list[str] | None = None
    in_vpc: bool | None = None
    vpc_id: str | None = None
    subnet_ids: list[str] | None = None
    security_group_ids: list[str] | None = None
    kms_key_arn: str | None = None
    policy: dict[str, Any] | None = None
    policy_public: bool | None = None
    public_statements: list[dict[str, Any]] | None = None
    url: str | None = None
    url_auth_type: str | None = None
    image_uri: str | None = None
    image_digest: str | None = None
