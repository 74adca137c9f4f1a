"""AWS Organizations (`organizations`): the typed properties of each resource type (see docs/resources/organizations.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

ACCOUNT = "aws.organizations.account"


@resource_type(ACCOUNT)
class OrganizationsAccount(Props):
    """`aws.organizations.account`"""

    in_organization: bool | None = None
    organization_id: str | None = None
    organization_arn: str | None = None
    management_account_id: str | None = None
    is_management_account: bool | None = None
    feature_set: str | None = None
    all_features: bool | None = None

ORGANIZATION = "aws.organizations.organization"


@resource_type(ORGANIZATION)
class Organization(Props):
    """`aws.organizations.organization`: the organization as a whole, seen by an `--org` scan.

    One resource per organization (account: the management account, region: global), built
    from the management (or delegated administrator) account and the facts of every scanned
    account. ``None``: not collected (an API the caller or the endpoint does not offer)."""

    organization_id: str | None = None
    management_account_id: str | None = None
    active_accounts: list[str] | None = None
    delegated_admins: dict[str, Any] | None = None  # service -> admin ids (null: not known)
    security_admin_account_id: str | None = None
    security_admins_consistent: bool | None = None
    security_admin_is_management: bool | None = None
    organization_trail: bool | None = None
    organization_trail_names: list[str] | None = None
    guardduty_admin_account_id: str | None = None
    guardduty_uncovered_accounts: list[str] | None = None
    config_aggregator: bool | None = None
    config_uncovered_accounts: list[str] | None = None
