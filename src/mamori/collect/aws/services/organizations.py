"""AWS Organizations: whether the account belongs to an organization (``aws.organizations.account``).

Global, one ``DescribeOrganization`` per account. ``AWSOrganizationsNotInUseException`` is
AWS's answer for an account in no organization: a fact (``in_organization = false``), not
a failure. Any other error fails the scope (the rule reports UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext, error_code
from mamori.model.resource import GLOBAL, Resource
from mamori.model.resources.organizations import ACCOUNT, OrganizationsAccount

_NOT_IN_USE = "AWSOrganizationsNotInUseException"


@COLLECTORS.register("organizations")
class OrganizationsCollector(AwsCollector):
    service = "organizations"
    scope = "global"
    resource_types = (ACCOUNT,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("organizations")
        try:
            org: dict[str, Any] = client.describe_organization()["Organization"]
        except ClientError as exc:
            if error_code(exc) != _NOT_IN_USE:
                raise
            org = {}
        management = str(org.get("MasterAccountId", ""))
        props = {
            "in_organization": bool(org),
            "organization_id": org.get("Id", ""),
            "organization_arn": org.get("Arn", ""),
            "management_account_id": management,
            "is_management_account": bool(org) and management == ctx.account,
            "feature_set": org.get("FeatureSet", ""),
            "all_features": org.get("FeatureSet") == "ALL",
        }
        yield ctx.resource(OrganizationsAccount.of(props), GLOBAL, ctx.account, name=ctx.account)
