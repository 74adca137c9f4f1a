"""Secrets Manager (`secretsmanager`): the typed properties of each resource type (see docs/resources/secretsmanager.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

SECRET = "aws.secretsmanager.secret"


@resource_type(SECRET)
class SecretsManagerSecret(Props):
    """`aws.secretsmanager.secret`"""

    description: str | None = None
    created: str | None = None
    last_changed: str | None = None
    rotation_enabled: bool | None = None
    rotation_lambda_arn: str | None = None
    rotation_interval_days: int | None = None
    rotation_schedule: str | None = None
    next_rotation: str | None = None
    last_rotated: str | None = None
    rotated_since: str | None = None
    last_accessed: str | None = None
    unused_since: str | None = None
    kms_key_id: str | None = None
    owning_service: str | None = None
    primary_region: str | None = None
