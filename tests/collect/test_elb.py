"""Classic ELB collector: listeners with their SSL negotiation policy, access logs; calls; failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.collect.aws.services.elb import ssl_policies
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials
from mamori.demo.seeds.elb import seed_elb
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

from ..awsutil import collect, deny

TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select([r.id for r in load_rules() if r.spec.resource_type == "aws.elb.classic_load_balancer"])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_elb(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["elb"])


def clb(inv: Inventory, name: str) -> Resource:
    [found] = [r for r in inv.of_type("aws.elb.classic_load_balancer") if r.id == name]
    return found


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    return {(r.rule_id, r.resource_id): r.status.value for r in evaluate(inv, RULES).results}


def test_ssl_policies_read_reference_and_protocols() -> None:
    resp = {"PolicyDescriptions": [
        {"PolicyName": "tls12", "PolicyTypeName": "SSLNegotiationPolicyType", "PolicyAttributeDescriptions": [
            {"AttributeName": "Reference-Security-Policy", "AttributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01"},
            {"AttributeName": "Protocol-TLSv1.2", "AttributeValue": "true"},
            {"AttributeName": "Protocol-TLSv1", "AttributeValue": "false"},
        ]},
        {"PolicyName": "sticky", "PolicyTypeName": "LBCookieStickinessPolicyType", "PolicyAttributeDescriptions": []},
    ]}  # fmt: skip
    assert ssl_policies(resp) == {"tls12": {"reference": "ELBSecurityPolicy-TLS-1-2-2017-01", "protocols": ["TLSv1.2"]}}


def test_classic_load_balancers_and_rules(session: boto3.Session) -> None:
    prod = scan(session)
    dev = collect(assume(session, DEV_ACCOUNT, None), regions=DEMO_REGIONS, services=["elb"])
    inv = Inventory()
    inv.merge(prod.inventory)
    inv.merge(dev.inventory)
    assert not inv.errors
    legacy, gateway = clb(inv, "legacy-api"), clb(inv, "dev-gateway")
    assert legacy.region == VIRGINIA and gateway.account == DEV_ACCOUNT and dict(legacy.tags) == {"owner": "platform"}
    listeners = {x["port"]: x for x in legacy.properties["listeners"]}
    assert listeners[80]["encrypted"] is False and listeners[80]["ssl_policy_reference"] == ""
    assert listeners[443]["ssl_policy_reference"] == "ELBSecurityPolicy-2016-08" and listeners[443]["ssl_certificate_id"]
    assert legacy.properties["access_logs_enabled"] is False
    assert gateway.properties["access_logs_enabled"] is True and gateway.properties["access_logs_bucket"] == "acme-dev-scratch"
    got = statuses(inv)
    for rule in RULES:
        assert (got[(rule.id, "dev-gateway")], got[(rule.id, "legacy-api")]) == ("PASS", "FAIL"), rule.id
    calls = prod.calls.calls
    assert calls["elb.DescribeLoadBalancers"] == len(DEMO_REGIONS)
    assert calls["elb.DescribeTags"] == calls["elb.DescribeLoadBalancerAttributes"] == calls["elb.DescribeLoadBalancerPolicies"] == 1


def test_no_tls_listener_no_policy_call(session: boto3.Session) -> None:
    ireland = "eu-west-1"  # a Region of its own, so the demo load balancers stay as they are
    session.client("elb", region_name=ireland).create_load_balancer(
        LoadBalancerName="plain", Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=[f"{ireland}a"],
    )  # fmt: skip
    res = collect(session, regions=(ireland,), services=["elb"])
    assert res.calls.calls["elb.DescribeLoadBalancerPolicies"] == 0
    got = statuses(res.inventory)
    assert got[("elb_classic_listener_not_encrypted", "plain")] == "FAIL"
    assert ("elb_classic_tls_policy_outdated", "plain") not in got


def test_failing_policies_and_attributes_are_partial(session: boto3.Session) -> None:
    deny(session, "elb", "DescribeLoadBalancerPolicies")
    deny(session, "elb", "DescribeLoadBalancerAttributes")
    inv = scan(session).inventory
    assert {(e.operation, e.resource_id, e.partial) for e in inv.errors} == {
        ("DescribeLoadBalancerPolicies", "legacy-api", True), ("DescribeLoadBalancerAttributes", "legacy-api", True)
    }  # fmt: skip
    got = statuses(inv)
    assert got[("elb_classic_tls_policy_outdated", "legacy-api")] == "UNKNOWN"
    assert got[("elb_classic_access_logging_off", "legacy-api")] == "UNKNOWN"
    assert got[("elb_classic_listener_not_encrypted", "legacy-api")] == "FAIL"


def test_denied_listing_is_a_scope_error(session: boto3.Session) -> None:
    deny(session, "elb", "DescribeLoadBalancers", regions=[VIRGINIA])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == (VIRGINIA, False, ("aws.elb.classic_load_balancer",))
    assert {s for (rule, rid), s in statuses(inv).items()} == {"UNKNOWN"}
