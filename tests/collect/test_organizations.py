"""Organizations and Account collectors against moto: facts from 'not in use' / 'not found' answers."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from mamori.demo.estate import DEV_ACCOUNT, SeedEnv, assume
from mamori.demo.seeds.account import seed_account
from mamori.demo.seeds.organizations import seed_organizations
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

ACCOUNT = "123456789012"
RULES = load_rules().select(["organizations_account_not_in_organization", "account_security_contact_missing"])


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        env = SeedEnv(session=sess, endpoint_url=None, regions=("us-east-1",))
        seed_organizations(env)
        seed_account(env)
        yield sess


def outcomes(inv: Inventory) -> dict[str, str]:
    return {r.rule_id: r.status.value for r in evaluate(inv, RULES).results}


def test_management_account_with_a_security_contact(session: boto3.Session) -> None:
    result = collect(session, regions=("us-east-1",), services=["organizations", "account"])
    inv = result.inventory
    assert not inv.errors
    [org] = inv.of_type("aws.organizations.account")
    assert org.id == ACCOUNT and org.region == "global"
    assert org.properties["in_organization"] is True and org.properties["organization_id"].startswith("o-")
    assert org.properties["is_management_account"] is True and org.properties["all_features"] is True
    [acct] = inv.of_type("aws.account.account")
    assert acct.properties["security_contact"] == {
        "name": "Acme Security Team", "title": "Security on-call", "email": "security@acme.example",
    }  # fmt: skip
    assert "phone" not in str(acct.properties).lower()
    assert outcomes(inv) == {"organizations_account_not_in_organization": "PASS", "account_security_contact_missing": "PASS"}
    calls = result.calls.calls
    assert calls["organizations.DescribeOrganization"] == 1 and calls["account.GetAlternateContact"] == 1


def test_standalone_account_without_contact_is_a_fact(session: boto3.Session) -> None:
    dev = assume(session, DEV_ACCOUNT, None)
    inv = collect(dev, regions=("us-east-1",), services=["organizations", "account"]).inventory
    assert not inv.errors
    [org] = inv.of_type("aws.organizations.account")
    assert org.id == DEV_ACCOUNT and org.properties["in_organization"] is False and org.properties["organization_id"] == ""
    [acct] = inv.of_type("aws.account.account")
    assert acct.properties == {"security_contact_registered": False, "security_contact": {}}
    assert outcomes(inv) == {"organizations_account_not_in_organization": "FAIL", "account_security_contact_missing": "FAIL"}


def test_denied_calls_are_scope_errors_and_unknown(session: boto3.Session) -> None:
    deny(session, "organizations", "DescribeOrganization")
    deny(session, "account", "GetAlternateContact")
    inv = collect(session, regions=("us-east-1",), services=["organizations", "account"]).inventory
    assert {(e.operation, e.code, e.partial) for e in inv.errors} == {
        ("DescribeOrganization", "AccessDenied", False), ("GetAlternateContact", "AccessDenied", False),
    }  # fmt: skip
    assert not inv.of_type("aws.organizations.account") and not inv.of_type("aws.account.account")
    assert outcomes(inv) == {"organizations_account_not_in_organization": "UNKNOWN", "account_security_contact_missing": "UNKNOWN"}
