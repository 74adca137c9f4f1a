"""The S3 collector against moto: buckets and the account block, call counts, failures, server mode."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials
from mamori.demo.seeds.s3 import seed_s3
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.model.resource import GLOBAL
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
S3_RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("s3_")])
OURS = {"acme-prod-logs", "acme-prod-access-logs", "acme-marketing-site", "acme-partner-exchange", "acme-prod-artifacts"}


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    """Seeded once per module; the emulator's state outlives each test's session."""
    with fake_credentials(), mock_aws():
        seed_s3(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    """A fresh session per test, so that operations a test denies stay denied in that test only."""
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session, regions: tuple[str, ...] = DEMO_REGIONS) -> CollectResult:
    return collect(session, regions=regions, services=["s3"])


def bucket(inv: Inventory, name: str, region: str, account: str = PROD) -> Resource:
    res = inv.get("aws.s3.bucket", account, region, name)
    assert res is not None, f"bucket {name} not collected in {region}"
    return res


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    """rule id -> resource id -> status."""
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, S3_RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_collects_buckets_and_the_account_block(session: boto3.Session) -> None:
    inv = scan(session).inventory
    assert not inv.errors
    assert {b.id for b in inv.of_type("aws.s3.bucket")} == OURS

    acct = inv.get("aws.s3.account", PROD, GLOBAL, PROD)
    assert acct is not None
    assert acct.properties["public_access_block_enabled"] is False
    assert set(acct.properties["public_access_block"].values()) == {False}

    logs = bucket(inv, "acme-prod-logs", TOKYO)
    p = logs.properties
    assert logs.arn == "arn:aws:s3:::acme-prod-logs" and logs.tags == {"owner": "platform", "data": "logs"}
    assert p["public_access_block_enabled"] is True and p["public_access_block_configured"] is True
    assert p["account_public_access_block"] == acct.properties["public_access_block"]
    assert p["default_encryption_enabled"] is True and p["encryption_algorithm"] == "aws:kms" and p["bucket_key_enabled"]
    assert p["versioning_status"] == "Enabled" and p["mfa_delete"] is False
    assert p["access_logging_enabled"] is True and p["access_logging_target"] == "acme-prod-access-logs/acme-prod-logs/"
    assert p["denies_insecure_transport"] is True and p["policy_public"] is False and p["policy_public_source"] == "aws"

    site = bucket(inv, "acme-marketing-site", VIRGINIA).properties
    assert site["acl_public_grants"] == [{"grantee": "AllUsers", "permission": "READ"}]
    assert site["acl_public_read"] is True and site["acl_public_write"] is False
    assert site["public_access_block_configured"] is False and site["public_access_block_enabled"] is False
    assert site["policy"] == {} and site["policy_present"] is False and site["denies_insecure_transport"] is False
    assert site["versioning_status"] == "" and site["access_logging_enabled"] is False

    partner = bucket(inv, "acme-partner-exchange", VIRGINIA).properties
    assert partner["policy_public"] is True
    assert [s["sid"] for s in partner["policy_public_statements"]] == ["PartnerDownload"]

    artifacts = bucket(inv, "acme-prod-artifacts", VIRGINIA).properties
    assert artifacts["policy_public"] is False and artifacts["policy_public_statements"] == []
    assert artifacts["versioning_status"] == "Suspended"


def test_rules_on_the_collected_buckets(session: boto3.Session) -> None:
    out = outcomes(scan(session).inventory)
    assert out["s3_account_public_access_block_off"] == {PROD: "FAIL"}
    assert set(out["s3_bucket_public_via_acl"].items()) >= {("acme-marketing-site", "FAIL"), ("acme-prod-logs", "PASS")}
    assert out["s3_bucket_public_via_policy"]["acme-partner-exchange"] == "FAIL"
    assert out["s3_bucket_public_via_policy"]["acme-prod-artifacts"] == "PASS"
    assert out["s3_bucket_public_access_block_off"]["acme-marketing-site"] == "FAIL"
    assert out["s3_bucket_allows_http"]["acme-prod-logs"] == "PASS"
    assert all(v == "PASS" for v in out["s3_bucket_default_encryption_off"].values())
    assert out["s3_bucket_versioning_off"]["acme-prod-artifacts"] == "FAIL"


def test_dev_account_block_covers_its_buckets(session: boto3.Session) -> None:
    dev = collect(assume(session, DEV_ACCOUNT, None), regions=DEMO_REGIONS, services=["s3"]).inventory
    assert not dev.errors
    acct = dev.get("aws.s3.account", DEV_ACCOUNT, GLOBAL, DEV_ACCOUNT)
    assert acct is not None and acct.properties["public_access_block_enabled"] is True
    scratch = bucket(dev, "acme-dev-scratch", TOKYO, DEV_ACCOUNT).properties
    assert scratch["default_encryption_enabled"] is False and scratch["encryption_algorithm"] == ""
    assert scratch["public_access_block_configured"] is False
    out = outcomes(dev)
    assert out["s3_account_public_access_block_off"] == {DEV_ACCOUNT: "PASS"}
    assert out["s3_bucket_public_access_block_off"] == {"acme-dev-scratch": "PASS"}  # the account covers it
    assert out["s3_bucket_default_encryption_off"] == {"acme-dev-scratch": "FAIL"}


def test_only_buckets_of_scanned_regions_are_read_and_covered(session: boto3.Session) -> None:
    result = scan(session, regions=(VIRGINIA,))
    inv = result.inventory
    assert {b.id for b in inv.of_type("aws.s3.bucket")} == {"acme-marketing-site", "acme-partner-exchange", "acme-prod-artifacts"}
    assert inv.is_clean(PROD, VIRGINIA, "aws.s3.bucket") and inv.is_clean(PROD, GLOBAL, "aws.s3.account")
    assert not inv.is_clean(PROD, TOKYO, "aws.s3.bucket")  # not scanned, so not covered
    calls = result.calls.calls
    assert calls["s3.GetBucketLocation"] == 5  # every bucket is placed ...
    assert calls["s3.GetBucketAcl"] == calls["s3.GetBucketEncryption"] == 3  # ... but only scanned ones are read


def test_api_calls_are_per_scan_not_per_rule(session: boto3.Session) -> None:
    calls = scan(session).calls.calls
    assert calls["s3.ListBuckets"] == 1 and calls["s3control.GetPublicAccessBlock"] == 1
    per_bucket = ("GetBucketLocation", "GetPublicAccessBlock", "GetBucketAcl", "GetBucketPolicy", "GetBucketEncryption",
                  "GetBucketVersioning", "GetBucketLogging", "GetBucketTagging")  # fmt: skip
    assert all(calls[f"s3.{op}"] == len(OURS) for op in per_bucket)
    assert calls["s3.GetBucketPolicyStatus"] == 4  # only buckets that have a policy
    assert sum(n for c, n in calls.items() if c.startswith(("s3.", "s3control."))) == 2 + 8 * 5 + 4


def test_denied_account_block_is_unknown_not_compliant(session: boto3.Session) -> None:
    deny(session, "s3-control", "GetPublicAccessBlock")
    inv = scan(session).inventory
    assert [(e.operation, e.code, e.resource_id, e.partial) for e in inv.errors] == [
        ("GetPublicAccessBlock", "AccessDenied", PROD, True)
    ]
    acct = inv.get("aws.s3.account", PROD, GLOBAL, PROD)
    assert acct is not None and acct.properties["public_access_block_enabled"] is None
    out = outcomes(inv)
    assert out["s3_account_public_access_block_off"] == {PROD: "UNKNOWN"}
    pab = out["s3_bucket_public_access_block_off"]
    assert pab["acme-prod-logs"] == "PASS"  # its own block decides
    assert pab["acme-marketing-site"] == "UNKNOWN"  # only the account could have covered it
    assert out["s3_bucket_public_via_acl"]["acme-marketing-site"] == "UNKNOWN"


def test_list_buckets_denied_is_a_scope_error_for_buckets_only(session: boto3.Session) -> None:
    deny(session, "s3", "ListBuckets")
    inv = scan(session).inventory
    assert [(e.operation, e.region, e.resource_types, e.partial) for e in inv.errors] == [
        ("ListBuckets", "*", ("aws.s3.bucket",), False)
    ]
    assert not inv.of_type("aws.s3.bucket")
    assert not inv.is_clean(PROD, VIRGINIA, "aws.s3.bucket")
    assert inv.is_clean(PROD, GLOBAL, "aws.s3.account")
    results = [r for r in evaluate(inv, S3_RULES).results if r.resource_type == "aws.s3.bucket"]
    assert results and all(r.status.value == "UNKNOWN" for r in results)


def test_a_failing_bucket_detail_is_partial_and_unknown(session: boto3.Session) -> None:
    deny(session, "s3", "GetBucketEncryption", regions=[VIRGINIA])
    inv = scan(session).inventory
    assert not [e for e in inv.errors if not e.partial]
    assert {e.resource_id for e in inv.errors} == {"acme-marketing-site", "acme-partner-exchange", "acme-prod-artifacts"}
    assert bucket(inv, "acme-marketing-site", VIRGINIA).properties["default_encryption_enabled"] is None
    assert bucket(inv, "acme-marketing-site", VIRGINIA).properties["acl_public"] is True
    enc = outcomes(inv)["s3_bucket_default_encryption_off"]
    assert enc["acme-marketing-site"] == "UNKNOWN" and enc["acme-prod-logs"] == "PASS"


def test_unknown_location_keeps_the_bucket_unknown(session: boto3.Session) -> None:
    deny(session, "s3", "GetBucketLocation")
    inv = scan(session).inventory
    assert len(inv.errors) == len(OURS) and all(e.partial for e in inv.errors)
    buckets = inv.of_type("aws.s3.bucket")
    assert {b.region for b in buckets} == {GLOBAL}
    assert all(v is None for b in buckets for v in b.properties.values())
    assert {s for per in outcomes(inv).values() for rid, s in per.items() if rid in OURS} == {"UNKNOWN"}


def test_policy_status_unavailable_falls_back_to_mamoris_judgement(session: boto3.Session) -> None:
    deny(session, "s3", "GetBucketPolicyStatus")
    inv = scan(session).inventory
    assert not inv.errors
    partner = bucket(inv, "acme-partner-exchange", VIRGINIA).properties
    assert partner["policy_public"] is True and partner["policy_public_source"] == "mamori"
    artifacts = bucket(inv, "acme-prod-artifacts", VIRGINIA).properties
    assert artifacts["policy_public"] is False  # Principal "*" pinned to a VPC endpoint
    assert outcomes(inv)["s3_bucket_public_via_policy"]["acme-partner-exchange"] == "FAIL"
