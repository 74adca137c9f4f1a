"""ECR collector: repositories, registry scanning rules, policies, call counts, failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.collect.aws.services.ecr import scan_frequency
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials
from mamori.demo.seeds.ecr import seed_ecr
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("ecr_")])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_ecr(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["ecr"])


def repo(inv: Inventory, name: str) -> Resource:
    [found] = [r for r in inv.of_type("aws.ecr.repository") if r.id == name]
    return found


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    return {(r.rule_id, r.resource_id): r.status.value for r in evaluate(inv, RULES).results}


@pytest.mark.parametrize(
    ("registry", "name", "scan_on_push", "expected"),
    [
        ({"scanType": "BASIC", "rules": []}, "api", False, "MANUAL"),
        ({"scanType": "BASIC", "rules": []}, "api", True, "SCAN_ON_PUSH"),
        ({"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "dev-*"}]}]}, "dev-x", False, "SCAN_ON_PUSH"),
        ({"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "dev-*"}]}]}, "devx", False, "MANUAL"),
        ({"scanType": "ENHANCED", "rules": []}, "api", True, "MANUAL"),  # enhanced ignores the repository setting
        ({"scanType": "ENHANCED", "rules": [
            {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*"}]},
            {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "prod/*"}]},
        ]}, "prod/api", False, "CONTINUOUS_SCAN"),
        ({"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "a.b"}]}]}, "axb", False, "MANUAL"),
    ],
)  # fmt: skip
def test_scan_frequency(registry: dict[str, object], name: str, scan_on_push: bool, expected: str) -> None:
    assert scan_frequency(registry, name, scan_on_push) == expected


def test_repositories_and_rules(session: boto3.Session) -> None:
    res = scan(session)
    inv = res.inventory
    assert not inv.errors
    billing, web = repo(inv, "billing-api"), repo(inv, "web-frontend")
    assert billing.region == TOKYO and web.region == VIRGINIA and dict(billing.tags) == {"owner": "billing"}
    assert billing.arn == f"arn:aws:ecr:{TOKYO}:{PROD}:repository/billing-api"
    p = billing.properties
    assert (p["tags_immutable"], p["scan_on_push"], p["scan_frequency"], p["scanning_configured"]) == (True, True, "SCAN_ON_PUSH", True)
    assert p["lifecycle_policy_present"] is True and p["policy_present"] is True and p["policy_public"] is False
    q = web.properties
    assert (q["tags_immutable"], q["scanning_configured"], q["lifecycle_policy_present"], q["policy_public"]) == (False, False, False, True)
    assert q["policy_public_statements"][0]["sid"] == "CdnBuildPull"
    got = statuses(inv)
    for rule in RULES:
        assert (got[(rule.id, "billing-api")], got[(rule.id, "web-frontend")]) == ("PASS", "FAIL"), rule.id
    calls = res.calls.calls
    assert calls["ecr.DescribeRepositories"] == calls["ecr.GetRegistryScanningConfiguration"] == len(DEMO_REGIONS)
    for per_repo in ("GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"):
        assert calls[f"ecr.{per_repo}"] == 2, per_repo


def test_registry_rule_makes_a_repository_scanned(session: boto3.Session) -> None:
    inv = collect(assume(session, DEV_ACCOUNT, None), regions=(TOKYO,), services=["ecr"]).inventory
    sandbox = repo(inv, "dev-sandbox").properties
    assert (sandbox["scan_on_push"], sandbox["scan_frequency"], sandbox["scanning_configured"]) == (False, "SCAN_ON_PUSH", True)
    assert sandbox["policy_present"] is False and sandbox["policy_public"] is False
    assert statuses(inv)[("ecr_repository_scan_on_push_off", "dev-sandbox")] == "PASS"


def test_no_repositories_no_registry_call(session: boto3.Session) -> None:
    res = collect(session, regions=("eu-west-1",), services=["ecr"])
    assert not res.inventory.of_type("aws.ecr.repository") and not res.inventory.errors
    assert res.calls.calls["ecr.GetRegistryScanningConfiguration"] == 0


def test_failing_registry_scanning_is_partial_and_unknown(session: boto3.Session) -> None:
    deny(session, "ecr", "GetRegistryScanningConfiguration", regions=[VIRGINIA])
    inv = scan(session).inventory
    [err] = inv.errors
    assert err.partial and err.region == VIRGINIA
    assert repo(inv, "web-frontend").properties["scanning_configured"] is None
    got = statuses(inv)
    assert got[("ecr_repository_scan_on_push_off", "web-frontend")] == "UNKNOWN"
    assert got[("ecr_repository_scan_on_push_off", "billing-api")] == "PASS"
    assert got[("ecr_repository_tags_mutable", "web-frontend")] == "FAIL"


def test_failing_policy_read_is_unknown_not_private(session: boto3.Session) -> None:
    deny(session, "ecr", "GetRepositoryPolicy")
    inv = scan(session).inventory
    assert {e.resource_id for e in inv.errors} == {"billing-api", "web-frontend"} and all(e.partial for e in inv.errors)
    got = statuses(inv)
    assert got[("ecr_repository_public", "web-frontend")] == got[("ecr_repository_public", "billing-api")] == "UNKNOWN"
    assert got[("ecr_repository_lifecycle_policy_missing", "web-frontend")] == "FAIL"


def test_denied_listing_fails_only_that_region(session: boto3.Session) -> None:
    deny(session, "ecr", "DescribeRepositories", regions=[TOKYO])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == (TOKYO, False, ("aws.ecr.repository", "aws.ecr.image"))
    got = statuses(inv)
    assert got[("ecr_repository_public", "*")] == "UNKNOWN" and got[("ecr_repository_public", "web-frontend")] == "FAIL"
    assert ("ecr_repository_public", "billing-api") not in got
