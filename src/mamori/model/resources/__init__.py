"""The typed models of every resource type, registered by type name in :data:`RESOURCE_TYPES`.

One module per service; importing this package registers them all. The models are the one
vocabulary of the estate: collectors build them and the rule loader checks each rule's paths
against them (see docs/writing-rules.md).
"""

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
    efs,
    elb,
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


__all__ = ["RESOURCE_TYPES", "Entry", "Props", "model_for", "resource_type"]
