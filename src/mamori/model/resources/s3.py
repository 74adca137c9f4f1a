"""S3 buckets and the account's Block Public Access (`s3`): the typed properties of each resource type (see docs/resources/s3.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Entry, Props, resource_type

ACCOUNT = "aws.s3.account"
BUCKET = "aws.s3.bucket"


class PublicAccessBlock(Entry):
    """The four Block Public Access settings (all ``false`` when none is configured)."""

    block_public_acls: bool | None = None
    ignore_public_acls: bool | None = None
    block_public_policy: bool | None = None
    restrict_public_buckets: bool | None = None


@resource_type(ACCOUNT)
class S3Account(Props):
    """`aws.s3.account`"""

    public_access_block: PublicAccessBlock | None = None
    public_access_block_enabled: bool | None = None


@resource_type(BUCKET)
class S3Bucket(Props):
    """`aws.s3.bucket`"""

    created: str | None = None
    public_access_block: PublicAccessBlock | None = None
    public_access_block_configured: bool | None = None
    public_access_block_enabled: bool | None = None
    account_public_access_block: PublicAccessBlock | None = None
    acl_public_grants: list[dict[str, Any]] | None = None
    acl_public_read: bool | None = None
    acl_public_write: bool | None = None
    acl_public: bool | None = None
    policy: dict[str, Any] | None = None
    policy_present: bool | None = None
    policy_public: bool | None = None
    policy_public_source: str | None = None
    policy_public_statements: list[dict[str, Any]] | None = None
    denies_insecure_transport: bool | None = None
    default_encryption_enabled: bool | None = None
    encryption_algorithm: str | None = None
    encryption_kms_key_id: str | None = None
    bucket_key_enabled: bool | None = None
    versioning_status: str | None = None
    mfa_delete: bool | None = None
    access_logging_enabled: bool | None = None
    access_logging_target: str | None = None
