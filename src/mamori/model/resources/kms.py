"""KMS (`kms`): the typed properties of each resource type (see docs/resources/kms.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

KEY = "aws.kms.key"


@resource_type(KEY)
class KmsKey(Props):
    """`aws.kms.key`: id = key id, arn = key ARN, name = first alias without `alias/` (else the key id)."""

    key_id: str | None = None
    aliases: list[str] | None = None
    description: str | None = None
    key_manager: str | None = None
    key_state: str | None = None
    enabled: bool | None = None
    key_spec: str | None = None
    key_usage: str | None = None
    origin: str | None = None
    multi_region: bool | None = None
    created_at: str | None = None
    deletion_date: str | None = None
    rotation_supported: bool | None = None
    rotation_enabled: bool | None = None
    rotation_period_days: int | None = None
