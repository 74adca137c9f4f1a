"""CloudFront collector: distributions (global), their configs and tags; calls; failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials
from mamori.demo.seeds.cloudfront import seed_cloudfront
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.model.resource import GLOBAL
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
VIRGINIA = "us-east-1"
RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("cloudfront_")])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_cloudfront(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["cloudfront"])


def dist(inv: Inventory, name: str) -> Resource:
    [found] = [r for r in inv.of_type("aws.cloudfront.distribution") if r.name == name]
    return found


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    names = {r.id: r.name for r in inv}
    return {(r.rule_id, names.get(r.resource_id, r.resource_id)): r.status.value for r in evaluate(inv, RULES).results}


def test_distributions_and_rules(session: boto3.Session) -> None:
    res = scan(session)
    inv = res.inventory
    assert not inv.errors
    assert inv.is_clean(PROD, GLOBAL, "aws.cloudfront.distribution")
    www, downloads = dist(inv, "www.acme.example"), dist(inv, "downloads.acme.example")
    assert www.region == GLOBAL and www.arn == f"arn:aws:cloudfront::{PROD}:distribution/{www.id}"
    assert dict(www.tags) == {"owner": "marketing"}
    p = www.properties
    assert p["viewer_protocol_policies"] == ["https-only", "redirect-to-https"]
    assert (p["viewer_certificate_custom"], p["viewer_minimum_protocol_version"]) == (True, "TLSv1.2_2021")
    assert (p["logging_enabled"], p["logging_bucket"], p["default_root_object"]) == (True, "acme-prod-logs.s3.amazonaws.com", "index.html")
    assert p["web_acl_id"].startswith("arn:aws:wafv2:us-east-1:")
    origins = {o["id"]: o for o in p["origins"]}
    assert origins["site"]["kind"] == "s3" and origins["api"]["origin_ssl_protocols"] == ["TLSv1.2"]
    q = downloads.properties
    assert q["viewer_protocol_policies"] == ["allow-all"] and q["logging_enabled"] is False and q["default_root_object"] == ""
    assert q["origins"][0]["origin_protocol_policy"] == "match-viewer"
    got = statuses(inv)
    for rule in RULES:
        assert (got[(rule.id, "www.acme.example")], got[(rule.id, "downloads.acme.example")]) == ("PASS", "FAIL"), rule.id
    calls = res.calls.calls
    assert calls["cloudfront.ListDistributions"] == 1  # global: once per account, whatever the Regions
    assert calls["cloudfront.GetDistributionConfig"] == calls["cloudfront.ListTagsForResource"] == 2


def test_failing_config_read_is_partial_and_unknown(session: boto3.Session) -> None:
    deny(session, "cloudfront", "GetDistributionConfig")
    inv = scan(session).inventory
    assert len(inv.errors) == 2 and all(e.partial and e.region == GLOBAL for e in inv.errors)
    www = dist(inv, "www.acme.example").properties
    assert www["logging_enabled"] is None and www["default_root_object"] is None and www["web_acl_id"]
    got = statuses(inv)
    assert got[("cloudfront_distribution_logging_off", "downloads.acme.example")] == "UNKNOWN"
    assert got[("cloudfront_distribution_default_root_object_missing", "downloads.acme.example")] == "UNKNOWN"
    assert got[("cloudfront_distribution_allows_http", "downloads.acme.example")] == "FAIL"


def test_denied_listing_is_unknown_for_the_account(session: boto3.Session) -> None:
    deny(session, "cloudfront", "ListDistributions")
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.operation) == (GLOBAL, False, "ListDistributions")
    got = statuses(inv)
    assert got and set(got.values()) == {"UNKNOWN"} and {rid for _, rid in got} == {"*"}
