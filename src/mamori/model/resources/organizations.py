"""AWS Organizations (`organizations`): the typed properties of each resource type (see docs/resources/organizations.md)."""

from __future__ import annotations

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
