"""An organization in moto (in-process): a management account, a ``workloads`` OU with two members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.findings import Store
from mamori.guardrails.org import session_factories


@dataclass
class OrgEnv:
    session: boto3.Session
    root: str
    ou: str
    members: list[str]
    store: Store

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self.session.client(service, region_name=region)

    def factories(self) -> tuple[Any, Any]:
        return session_factories(self.session, None, "OrganizationAccountAccessRole")


@pytest.fixture
def org_env(tmp_path: Path) -> Iterator[OrgEnv]:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        org = session.client("organizations")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
        members = []
        for name in ("staging", "sandbox"):
            acct = org.create_account(AccountName=name, Email=f"{name}@acme.example")["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=acct, SourceParentId=root, DestinationParentId=ou)
            members.append(acct)
        store = Store.open(f"sqlite:///{tmp_path}/mamori.db")
        try:
            yield OrgEnv(session, root, ou, sorted(members), store)
        finally:
            store.close()
