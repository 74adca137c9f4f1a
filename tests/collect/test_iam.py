"""The IAM collector against moto: what it collects, how many calls it makes, how it fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from mamori.collect.aws.runner import CollectResult
from mamori.collect.aws.services.iam import IamCollector
from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.iam import seed_iam
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.model.resource import GLOBAL
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

ACCOUNT_ID = "123456789012"
IAM_RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("iam_")])


@pytest.fixture(autouse=True)
def _fast_report_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IamCollector, "report_first_poll", 0.01)


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        seed_iam(SeedEnv(session=sess, endpoint_url=None, regions=("us-east-1",)))
        yield sess


def answer(session: boto3.Session, operation: str, parsed: dict[str, Any]) -> None:
    """Make ``iam.operation`` succeed with ``parsed`` on this session (what AWS might say, moto does not)."""

    def handler(**_: Any) -> Any:
        return AWSResponse("https://iam.invalid", 200, {}, None), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}

    session._session.register(f"before-call.iam.{operation}", handler)


def one(inv: Inventory, rtype: str, rid: str) -> Resource:
    res = inv.get(rtype, ACCOUNT_ID, GLOBAL, rid)
    assert res is not None, f"{rtype} {rid} not collected"
    return res


def outcomes(result: CollectResult) -> dict[str, dict[str, str]]:
    """rule id -> resource id -> status."""
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(result.inventory, IAM_RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_collects_the_estate(session: boto3.Session) -> None:
    result = collect(session, services=["iam"])
    inv = result.inventory
    assert not inv.errors
    assert inv.is_clean(ACCOUNT_ID, GLOBAL, "aws.iam.user")

    alice = one(inv, "aws.iam.user", "alice").properties
    assert alice["console_access"] is True and alice["mfa_active"] is True
    assert alice["groups"] == ["developers"] and alice["attached_policies"] == [] and alice["inline_policies"] == []
    assert alice["active_access_keys"] == 1
    assert alice["access_keys"][0]["last_used_date"] not in (None, "never")
    assert alice["password_last_used"] == "never"  # nobody signed in to the emulator's console

    bob = one(inv, "aws.iam.user", "bob").properties
    assert bob["console_access"] is True and bob["mfa_active"] is False
    assert [p["name"] for p in bob["attached_policies"]] == ["billing-readonly"]
    assert bob["access_keys"][0]["last_used_date"] == "never"
    assert bob["access_keys"][0]["unused_since"] == bob["access_keys"][0]["created"]

    ci = one(inv, "aws.iam.user", "ci-deployer")
    assert ci.properties["console_access"] is False and ci.properties["password_unused_since"] == ""
    assert ci.properties["active_access_keys"] == 2 and ci.properties["path"] == "/machines/"
    assert ci.tags == {"team": "platform"}

    keys = inv.of_type("aws.iam.access_key")
    assert len(keys) == 4 and all(k.id.startswith("AKIA") for k in keys)
    used = next(k for k in keys if k.properties["user"] == "alice").properties
    assert used["status"] == "Active" and used["last_used_service"] == "sts" and used["last_used_region"] == "us-east-1"
    assert used["last_rotated"] == used["created"]

    admin = one(inv, "aws.iam.policy", "acme-admin")
    assert admin.arn == f"arn:aws:iam::{ACCOUNT_ID}:policy/acme-admin"
    assert admin.properties["allows_full_admin"] is True and admin.properties["attachment_count"] == 1
    assert one(inv, "aws.iam.policy", "billing-readonly").properties["allows_full_admin"] is False

    assert one(inv, "aws.iam.role", "partner-audit").properties["trusts_any_principal"] is True
    vendor = one(inv, "aws.iam.role", "vendor-readonly").properties
    assert vendor["trusts_any_principal"] is False and vendor["trust_policy"]["Statement"][0]["Condition"]
    assert vendor["last_used_date"] == "never"

    acct = one(inv, "aws.iam.account", ACCOUNT_ID).properties
    assert acct["password_policy_present"] is True
    assert acct["password_minimum_length"] == 8 and acct["password_reuse_prevention"] == 0
    assert acct["password_require_numbers"] is True and acct["password_require_symbols"] is False
    # moto: no root MFA, no root key, and no <root_account> row in the credential report.
    assert acct["root_mfa_enabled"] is False and acct["root_hardware_mfa"] is False
    assert acct["root_access_keys_present"] is False
    assert acct["root_last_activity"] is None


def test_api_calls_are_per_scan_not_per_rule(session: boto3.Session) -> None:
    calls = collect(session, services=["iam"]).calls.calls
    assert calls["iam.GetAccountAuthorizationDetails"] == 1
    assert calls["iam.GetCredentialReport"] == 1
    assert calls["iam.GetAccountSummary"] == calls["iam.GetAccountPasswordPolicy"] == 1
    assert calls["iam.ListVirtualMFADevices"] == 1
    assert calls["iam.ListAccessKeys"] == 3  # one per user: IAM has no bulk call
    assert calls["iam.GetAccessKeyLastUsed"] == 4  # one per key
    # console access and MFA come from the credential report, not per user
    assert not calls["iam.GetLoginProfile"] and not calls["iam.ListMFADevices"] and not calls["iam.GetUser"]


def test_demo_outcomes(session: boto3.Session) -> None:
    got = outcomes(collect(session, services=["iam"]))
    assert got["iam_user_console_without_mfa"] == {"alice": "PASS", "bob": "FAIL"}
    assert got["iam_user_has_attached_policies"] == {"alice": "PASS", "bob": "FAIL", "ci-deployer": "PASS"}
    assert got["iam_user_multiple_active_access_keys"]["ci-deployer"] == "FAIL"
    assert got["iam_user_access_key_with_console_password_never_used"] == {"alice": "PASS", "bob": "FAIL"}
    assert got["iam_policy_allows_full_admin"]["acme-admin"] == "FAIL"
    assert got["iam_role_trusts_any_principal"]["partner-audit"] == "FAIL"
    assert got["iam_password_policy_weak"] == {ACCOUNT_ID: "FAIL"}
    assert got["iam_root_mfa_disabled"] == {ACCOUNT_ID: "FAIL"}
    assert got["iam_root_access_key_exists"] == {ACCOUNT_ID: "PASS"}
    assert got["iam_root_used_recently"] == {ACCOUNT_ID: "UNKNOWN"}  # moto's report has no root row
    assert set(got["iam_access_key_older_than_90_days"].values()) == {"PASS"}


def test_no_password_policy_is_a_fact() -> None:
    with isolated_aws():
        result = collect(services=["iam"])
    acct = one(result.inventory, "aws.iam.account", ACCOUNT_ID).properties
    assert acct["password_policy_present"] is False and acct["password_minimum_length"] == 8
    assert not result.inventory.errors
    assert outcomes(result)["iam_password_policy_weak"] == {ACCOUNT_ID: "FAIL"}


def test_denied_authorization_details_is_unknown_for_what_it_feeds(session: boto3.Session) -> None:
    deny(session, "iam", "GetAccountAuthorizationDetails")
    result = collect(session, services=["iam"])
    [err] = result.inventory.errors
    assert not err.partial and err.operation == "GetAccountAuthorizationDetails" and err.code == "AccessDenied"
    assert set(err.resource_types) == {"aws.iam.user", "aws.iam.role", "aws.iam.policy", "aws.iam.inline_policy"}
    got = outcomes(result)
    assert got["iam_policy_allows_full_admin"] == {"*": "UNKNOWN"}
    assert got["iam_role_trusts_any_principal"] == {"*": "UNKNOWN"}
    assert "PASS" not in got["iam_user_has_attached_policies"].values()
    # users still come from the credential report; what it tells is still decided
    assert got["iam_user_console_without_mfa"]["bob"] == "FAIL"
    assert got["iam_password_policy_weak"] == {ACCOUNT_ID: "FAIL"}


def test_denied_credential_report_is_unknown_never_pass(session: boto3.Session) -> None:
    deny(session, "iam", "GetCredentialReport")
    result = collect(session, services=["iam"])
    [err] = result.inventory.errors
    assert err.operation == "GetCredentialReport" and set(err.resource_types) == {"aws.iam.account", "aws.iam.user"}
    got = outcomes(result)
    for rule in ("iam_user_console_without_mfa", "iam_user_credentials_unused_45_days"):
        assert "PASS" not in got[rule].values() and got[rule]["*"] == "UNKNOWN"
    assert one(result.inventory, "aws.iam.user", "bob").properties["mfa_active"] is None
    # keys come from ListAccessKeys and still decide
    assert got["iam_user_multiple_active_access_keys"]["ci-deployer"] == "FAIL"


def test_credential_report_that_never_completes(session: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IamCollector, "report_max_wait", 0.01)
    answer(session, "GenerateCredentialReport", {"State": "INPROGRESS"})
    result = collect(session, services=["iam"])
    [err] = result.inventory.errors
    assert err.code == "ReportNotReady" and not err.partial
    assert result.calls.calls["iam.GetCredentialReport"] == 0
    assert "PASS" not in outcomes(result)["iam_user_console_without_mfa"].values()


def test_denied_password_policy_is_a_partial_error(session: boto3.Session) -> None:
    deny(session, "iam", "GetAccountPasswordPolicy")
    result = collect(session, services=["iam"])
    [err] = result.inventory.errors
    assert err.partial and err.resource_id == ACCOUNT_ID
    got = outcomes(result)
    assert got["iam_password_policy_weak"] == {ACCOUNT_ID: "UNKNOWN"}
    assert got["iam_root_mfa_disabled"] == {ACCOUNT_ID: "FAIL"}


def test_denied_account_summary_and_mfa_listing(session: boto3.Session) -> None:
    deny(session, "iam", "GetAccountSummary")
    deny(session, "iam", "ListVirtualMFADevices")
    result = collect(session, services=["iam"])
    assert {e.operation for e in result.inventory.errors} == {"GetAccountSummary", "ListVirtualMFADevices"}
    assert all(e.partial for e in result.inventory.errors)
    got = outcomes(result)
    for rule in ("iam_root_mfa_disabled", "iam_root_hardware_mfa_disabled", "iam_root_access_key_exists"):
        assert got[rule] == {ACCOUNT_ID: "UNKNOWN"}


def test_key_last_used_failure_is_per_key(session: boto3.Session) -> None:
    deny(session, "iam", "GetAccessKeyLastUsed", code="Throttling", status=400)
    result = collect(session, services=["iam"])
    errors = result.inventory.errors
    assert len(errors) == 4 and all(e.partial for e in errors)
    assert {e.resource_types for e in errors} == {("aws.iam.access_key",)}
    key = result.inventory.of_type("aws.iam.access_key")[0].properties
    assert key["last_used_date"] is None and key["unused_since"] is None and key["created"]
    got = outcomes(result)
    assert set(got["iam_user_credentials_unused_45_days"].values()) == {"UNKNOWN"}
    assert set(got["iam_access_key_older_than_90_days"].values()) == {"PASS"}  # age is still known


def test_list_access_keys_failure_falls_back_to_the_report(session: boto3.Session) -> None:
    deny(session, "iam", "ListAccessKeys")
    result = collect(session, services=["iam"])
    assert len(result.inventory.errors) == 3 and all(e.partial for e in result.inventory.errors)
    keys = sorted(k.id for k in result.inventory.of_type("aws.iam.access_key"))
    assert keys == ["alice/access_key_1", "bob/access_key_1", "ci-deployer/access_key_1", "ci-deployer/access_key_2"]
    ci = one(result.inventory, "aws.iam.user", "ci-deployer").properties
    assert ci["active_access_keys"] == 2
    got = outcomes(result)
    assert got["iam_user_multiple_active_access_keys"]["ci-deployer"] == "FAIL"
    assert set(got["iam_access_key_older_than_90_days"].values()) == {"PASS"}


REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)


def _report(*rows: str) -> dict[str, Any]:
    return {"Content": "\n".join((REPORT_HEADER, *rows, "")).encode(), "ReportFormat": "text/csv"}


def test_root_row_and_real_report_values(session: boto3.Session) -> None:
    """What real AWS puts in the report (moto omits the root row and key regions/services)."""
    recent = (datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)).isoformat()
    root = (
        f"<root_account>,arn:aws:iam::{ACCOUNT_ID}:root,2019-01-01T00:00:00+00:00,not_supported,{recent},"
        "not_supported,not_supported,true,true,2020-02-02T00:00:00+00:00,2021-03-03T00:00:00+00:00,"
        "us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    bob = (
        f"bob,arn:aws:iam::{ACCOUNT_ID}:user/bob,2020-01-01T00:00:00+00:00,true,no_information,"
        "2020-01-01T00:00:00+00:00,N/A,false,true,2020-01-02T00:00:00+00:00,N/A,N/A,N/A,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    answer(session, "GetCredentialReport", _report(root, bob))
    result = collect(session, services=["iam"])
    acct = one(result.inventory, "aws.iam.account", ACCOUNT_ID).properties
    assert acct["root_password_last_used"] == recent and acct["root_last_activity"] == recent
    assert acct["root_access_keys"] == [
        {
            "slot": 1,
            "active": True,
            "last_rotated": "2020-02-02T00:00:00+00:00",
            "last_used_date": "2021-03-03T00:00:00+00:00",
            "last_used_region": "us-east-1",
            "last_used_service": "s3",
        }
    ]
    bob_props = one(result.inventory, "aws.iam.user", "bob").properties
    # no_information: not used since tracking began, so unused since the password was set
    assert bob_props["password_last_used"] == "never"
    assert bob_props["password_unused_since"] == "2020-01-01T00:00:00+00:00"
    got = outcomes(result)
    assert got["iam_root_used_recently"] == {ACCOUNT_ID: "FAIL"}
    assert got["iam_user_credentials_unused_45_days"]["bob"] == "FAIL"
    # users created after the report was built are asked about one by one
    calls = result.calls.calls
    assert calls["iam.GetLoginProfile"] == calls["iam.ListMFADevices"] == calls["iam.GetUser"] == 2
    alice = one(result.inventory, "aws.iam.user", "alice").properties
    assert alice["console_access"] is True and alice["mfa_active"] is True and alice["password_last_used"] == "never"
    ci = one(result.inventory, "aws.iam.user", "ci-deployer").properties
    assert ci["console_access"] is False and ci["mfa_active"] is False
    assert got["iam_user_console_without_mfa"] == {"alice": "PASS", "bob": "FAIL"}


def test_root_with_virtual_mfa(session: boto3.Session) -> None:
    answer(session, "GetAccountSummary", {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1}})
    answer(
        session,
        "ListVirtualMFADevices",
        {
            "VirtualMFADevices": [
                {
                    "SerialNumber": f"arn:aws:iam::{ACCOUNT_ID}:mfa/root-account-mfa-device",
                    "User": {"Arn": f"arn:aws:iam::{ACCOUNT_ID}:root", "UserName": "", "UserId": ACCOUNT_ID,
                             "Path": "/", "CreateDate": datetime(2020, 1, 1, tzinfo=UTC)},
                }
            ],
            "IsTruncated": False,
        },
    )  # fmt: skip
    result = collect(session, services=["iam"])
    acct = one(result.inventory, "aws.iam.account", ACCOUNT_ID).properties
    assert acct["root_mfa_enabled"] is True and acct["root_virtual_mfa"] is True and acct["root_hardware_mfa"] is False
    got = outcomes(result)
    assert got["iam_root_mfa_disabled"] == {ACCOUNT_ID: "PASS"}
    assert got["iam_root_hardware_mfa_disabled"] == {ACCOUNT_ID: "FAIL"}
    assert got["iam_root_access_key_exists"] == {ACCOUNT_ID: "FAIL"}


def test_root_with_hardware_mfa(session: boto3.Session) -> None:
    answer(session, "GetAccountSummary", {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}})
    result = collect(session, services=["iam"])
    got = outcomes(result)
    assert got["iam_root_hardware_mfa_disabled"] == {ACCOUNT_ID: "PASS"}  # alice's virtual device is not root's
