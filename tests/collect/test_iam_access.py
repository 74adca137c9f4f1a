"""IAM additions against moto: inline policies, service wildcards, support and CloudShell attachments, certificates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from mamori.collect.aws.services.iam import IamCollector
from mamori.collect.aws.services.iam_policy import service_wildcard_statements
from mamori.demo.estate import DEV_ACCOUNT, SeedEnv, assume
from mamori.demo.seeds.iam import _aws_managed_policies, seed_iam, seed_iam_access
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.model.resource import GLOBAL
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

ACCOUNT = "123456789012"
RULES = load_rules().select(
    [
        "iam_inline_policy_allows_full_admin",
        "iam_policy_allows_service_wildcard",
        "iam_support_role_missing",
        "iam_cloudshell_full_access_attached",
        "iam_server_certificate_expired",
    ]
)


@pytest.fixture(autouse=True)
def _fast_report_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IamCollector, "report_first_poll", 0.01)


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        env = SeedEnv(session=sess, endpoint_url=None, regions=("us-east-1",))
        seed_iam(env)
        seed_iam_access(env)
        yield sess


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def one(inv: Inventory, rtype: str, rid: str, account: str = ACCOUNT) -> Resource:
    res = inv.get(rtype, account, GLOBAL, rid)
    assert res is not None, f"{rtype} {rid} not collected"
    return res


def test_prod_collects_and_fails(session: boto3.Session) -> None:
    result = collect(session, regions=("us-east-1",), services=["iam"])
    inv = result.inventory
    assert not inv.errors
    inline = {r.id: r for r in inv.of_type("aws.iam.inline_policy")}
    assert set(inline) == {"role/partner-audit/read-config", "role/legacy-jenkins/jenkins-everything"}
    jenkins = inline["role/legacy-jenkins/jenkins-everything"].properties
    assert jenkins["identity_type"] == "role" and jenkins["identity_name"] == "legacy-jenkins"
    assert jenkins["identity_arn"].endswith(":role/legacy-jenkins") and jenkins["allows_full_admin"] is True
    data = one(inv, "aws.iam.policy", "data-team-s3").properties
    assert data["service_wildcard_statements"] == [{"sid": "", "index": 0, "actions": ["s3:*"]}]
    assert data["allows_full_admin"] is False
    acct = one(inv, "aws.iam.account", ACCOUNT).properties
    assert acct["support_roles"] == []
    assert acct["cloudshell_full_access"] == [{"type": "group", "name": "developers"}]
    [cert] = acct["server_certificates"]
    assert cert["name"] == "www-acme-2023" and cert["arn"].endswith(":server-certificate/www-acme-2023")
    assert cert["expiration"] < "2025"  # moto always answers 2012; the seeded certificate expired in 2024
    # AWS managed policies are not customer managed policies
    assert not inv.get("aws.iam.policy", ACCOUNT, GLOBAL, "AWSCloudShellFullAccess")
    got = outcomes(inv)
    assert got["iam_inline_policy_allows_full_admin"] == {
        "role/partner-audit/read-config": "PASS", "role/legacy-jenkins/jenkins-everything": "FAIL",
    }  # fmt: skip
    assert got["iam_policy_allows_service_wildcard"]["data-team-s3"] == "FAIL"
    assert got["iam_policy_allows_service_wildcard"]["billing-readonly"] == "PASS"
    assert got["iam_policy_allows_service_wildcard"]["acme-admin"] == "PASS"  # "*" is iam_policy_allows_full_admin's
    assert got["iam_support_role_missing"] == {ACCOUNT: "FAIL"}
    assert got["iam_cloudshell_full_access_attached"] == {ACCOUNT: "FAIL"}
    assert got["iam_server_certificate_expired"] == {ACCOUNT: "FAIL"}
    calls = result.calls.calls
    assert calls["iam.ListServerCertificates"] == 1 and calls["iam.GetAccountAuthorizationDetails"] == 1


def test_dev_passes(session: boto3.Session) -> None:
    inv = collect(assume(session, DEV_ACCOUNT, None), regions=("us-east-1",), services=["iam"]).inventory
    acct = one(inv, "aws.iam.account", DEV_ACCOUNT, account=DEV_ACCOUNT).properties
    assert acct["support_roles"] == ["aws-support"] and acct["cloudshell_full_access"] == []
    assert acct["server_certificates"] == []
    got = outcomes(inv)
    for rule in ("iam_support_role_missing", "iam_cloudshell_full_access_attached", "iam_server_certificate_expired"):
        assert got[rule] == {DEV_ACCOUNT: "PASS"}, rule


def test_denied_certificate_listing_is_partial(session: boto3.Session) -> None:
    deny(session, "iam", "ListServerCertificates")
    inv = collect(session, regions=("us-east-1",), services=["iam"]).inventory
    [err] = inv.errors
    assert err.partial and err.operation == "ListServerCertificates" and err.resource_id == ACCOUNT
    assert one(inv, "aws.iam.account", ACCOUNT).properties["server_certificates"] is None
    got = outcomes(inv)
    assert got["iam_server_certificate_expired"] == {ACCOUNT: "UNKNOWN"}
    assert got["iam_cloudshell_full_access_attached"] == {ACCOUNT: "FAIL"}


def test_denied_authorization_details_leaves_attachments_unknown(session: boto3.Session) -> None:
    deny(session, "iam", "GetAccountAuthorizationDetails")
    inv = collect(session, regions=("us-east-1",), services=["iam"]).inventory
    acct = one(inv, "aws.iam.account", ACCOUNT).properties
    assert acct["support_roles"] is None and acct["cloudshell_full_access"] is None
    got = outcomes(inv)
    assert got["iam_support_role_missing"] == {ACCOUNT: "UNKNOWN"}
    assert got["iam_cloudshell_full_access_attached"] == {ACCOUNT: "UNKNOWN"}
    assert got["iam_inline_policy_allows_full_admin"] == {"*": "UNKNOWN"}
    assert got["iam_server_certificate_expired"] == {ACCOUNT: "FAIL"}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, [["s3:*"]]),
        ({"Effect": "Allow", "Action": ["ec2:Describe*", "iam:*", "kms:*"], "Resource": "*"}, [["iam:*", "kms:*"]]),
        ({"Effect": "Allow", "Action": ["s3:Get*", "s3:ListBucket"], "Resource": "*"}, []),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, []),
        ({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, []),
    ],
)
def test_service_wildcards(statement: dict[str, Any], expected: list[list[str]]) -> None:
    got = service_wildcard_statements({"Version": "2012-10-17", "Statement": [statement]})
    assert [s["actions"] for s in got] == expected


def test_managed_policies_are_only_added_to_an_in_process_emulator() -> None:
    with isolated_aws():
        # an identity the local backend does not know: the API went to another process
        assert _aws_managed_policies(ACCOUNT, "AWSSupportAccess", needs=("roles", "aws-support")) is False
