"""The typed models of every resource type, registered by type name in :data:`RESOURCE_TYPES`.

One module per service; importing this package registers them all. The models are the one
vocabulary of the estate: collectors build them and the rule loader checks each rule's paths
against them (see docs/writing-rules.md).
"""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from mamori.model.resources import (  # noqa: F401  (importing registers the models)
    account,
    awslambda,
    backup,
    cloudfront,
    cloudtrail,
    config,
    dynamodb,
    ec2,
    ecr,
    ecs,
    efs,
    elb,
    gcp,
    guardduty,
    iam,
    kms,
    logs,
    monitoring,
    organizations,
    rds,
    s3,
    secretsmanager,
    securityhub,
    sns,
    sqs,
)
from mamori.model.resources.base import RESOURCE_TYPES, Entry, Props, resource_type


def model_for(type_name: str) -> type[Props]:
    """The model of a resource type (``KeyError`` naming the known types when there is none)."""
    return RESOURCE_TYPES.get(type_name)


def check_properties(type_name: str, properties: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` naming the property when a known property has the wrong type.

    For reading stored data (snapshots): keys the model does not know (written by another
    version of mamori) are tolerated, and a type without a model is not checked.
    """
    if type_name not in RESOURCE_TYPES:
        return
    model = RESOURCE_TYPES.get(type_name)
    known = {k: v for k, v in properties.items() if k in model.model_fields}
    try:
        model.model_validate(known)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"property {where}: {err['msg']}") from None


__all__ = ["RESOURCE_TYPES", "Entry", "Props", "check_properties", "model_for", "resource_type"]
