"""Demo organization: prod is the management account; dev was created on its own, outside it.

The organization has a ``workloads`` OU with two member accounts (``acme-staging``,
``acme-sandbox``) that the demo does not scan: they are what `mamori guardrails deploy
--org` guards (SCPs attached to the root, the detective StackSet in every member account
and Region). They are created last, with moto's id generator saved and restored around
them, so every identifier the scan sees stays what it was before they existed.
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder

MEMBER_OU = "workloads"
MEMBERS = {"acme-staging": "aws+staging@acme.example", "acme-sandbox": "aws+sandbox@acme.example"}


@seeder("organizations", order=5)
def seed_organizations(env: SeedEnv) -> None:
    env.client("organizations", "us-east-1").create_organization(FeatureSet="ALL")


@seeder("organization_members", order=99)
def seed_organization_members(env: SeedEnv) -> None:
    from moto.moto_api._internal import mock_random

    saved = mock_random.getstate()
    try:
        org = env.client("organizations", "us-east-1")
        root = org.list_roots()["Roots"][0]["Id"]
        ou = org.create_organizational_unit(ParentId=root, Name=MEMBER_OU)["OrganizationalUnit"]["Id"]
        for name, email in MEMBERS.items():
            account = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
    finally:
        mock_random.setstate(saved)
