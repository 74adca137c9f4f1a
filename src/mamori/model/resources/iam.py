"""IAM and the account (`iam`): the typed properties of each resource type (see docs/resources/iam.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Entry, Props, resource_type

ACCOUNT = "aws.iam.account"
USER = "aws.iam.user"
ACCESS_KEY = "aws.iam.access_key"
POLICY = "aws.iam.policy"
ROLE = "aws.iam.role"
INLINE_POLICY = "aws.iam.inline_policy"


class AccessKeySummary(Entry):
    """One of a user's access keys, as listed on the user."""

    id: str | None = None
    status: str | None = None
    created: str | None = None
    last_used_date: str | None = None
    unused_since: str | None = None


@resource_type(ACCOUNT)
class IamAccount(Props):
    """`aws.iam.account`"""

    root_mfa_enabled: bool | None = None
    root_virtual_mfa: bool | None = None
    root_hardware_mfa: bool | None = None
    root_access_keys_present: bool | None = None
    root_access_keys: list[dict[str, Any]] | None = None
    root_password_last_used: str | None = None
    root_last_activity: str | None = None
    password_policy_present: bool | None = None
    password_minimum_length: int | None = None
    password_reuse_prevention: int | None = None
    password_require_symbols: bool | None = None
    password_require_numbers: bool | None = None
    password_require_uppercase: bool | None = None
    password_require_lowercase: bool | None = None
    password_max_age_days: int | None = None
    password_hard_expiry: bool | None = None
    password_users_can_change: bool | None = None
    support_roles: list[str] | None = None
    cloudshell_full_access: list[dict[str, Any]] | None = None
    server_certificates: list[dict[str, Any]] | None = None


@resource_type(USER)
class IamUser(Props):
    """`aws.iam.user`"""

    user_id: str | None = None
    path: str | None = None
    created: str | None = None
    console_access: bool | None = None
    mfa_active: bool | None = None
    password_last_used: str | None = None
    password_last_changed: str | None = None
    password_unused_since: str | None = None
    access_keys: list[AccessKeySummary] | None = None
    active_access_keys: int | None = None
    attached_policies: list[dict[str, Any]] | None = None
    inline_policies: list[Any] | None = None
    groups: list[str] | None = None


@resource_type(ACCESS_KEY)
class IamAccessKey(Props):
    """`aws.iam.access_key`"""

    user: str | None = None
    user_arn: str | None = None
    access_key_id: str | None = None
    status: str | None = None
    created: str | None = None
    last_rotated: str | None = None
    last_used_date: str | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None
    unused_since: str | None = None


@resource_type(POLICY)
class IamPolicy(Props):
    """`aws.iam.policy`: id = policy name, arn = policy ARN."""

    policy_id: str | None = None
    path: str | None = None
    description: str | None = None
    default_version_id: str | None = None
    attachment_count: int | None = None
    attachable: bool | None = None
    created: str | None = None
    updated: str | None = None
    document: dict[str, Any] | None = None
    allows_full_admin: bool | None = None
    admin_statements: list[dict[str, Any]] | None = None
    service_wildcard_statements: list[dict[str, Any]] | None = None


@resource_type(ROLE)
class IamRole(Props):
    """`aws.iam.role`"""

    role_id: str | None = None
    path: str | None = None
    created: str | None = None
    service_linked: bool | None = None
    trust_policy: dict[str, Any] | None = None
    trusts_any_principal: bool | None = None
    public_trust_statements: list[dict[str, Any]] | None = None
    attached_policies: list[dict[str, Any]] | None = None
    inline_policies: list[str] | None = None
    last_used_date: str | None = None
    last_used_region: str | None = None


@resource_type(INLINE_POLICY)
class IamInlinePolicy(Props):
    """`aws.iam.inline_policy`"""

    identity_type: str | None = None
    identity_name: str | None = None
    identity_arn: str | None = None
    policy_name: str | None = None
    document: dict[str, Any] | None = None
    allows_full_admin: bool | None = None
    admin_statements: list[dict[str, Any]] | None = None
