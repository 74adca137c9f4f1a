"""ELBv2 collector: load balancers with listeners, TLS policy versions and attributes; calls; failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.collect.aws.services.elbv2 import listener_facts
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials
from mamori.demo.seeds.elb import seed_elb
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
RULES = load_rules().select([r.id for r in load_rules() if r.spec.resource_type == "aws.elb.load_balancer"])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    with fake_credentials(), mock_aws():
        seed_elb(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["elbv2"])


def lb(inv: Inventory, name: str) -> Resource:
    [found] = [r for r in inv.of_type("aws.elb.load_balancer") if r.name == name]
    return found


def statuses(inv: Inventory) -> dict[tuple[str, str], str]:
    names = {r.id: r.name for r in inv}
    return {(r.rule_id, names.get(r.resource_id, r.resource_id)): r.status.value for r in evaluate(inv, RULES).results}


def test_listener_facts() -> None:
    http = listener_facts({"Protocol": "HTTP", "Port": 80, "SslPolicy": "ELBSecurityPolicy-2016-08",
                           "DefaultActions": [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443"}}]}, {})  # fmt: skip
    assert (http["tls"], http["ssl_policy"], http["ssl_protocols"], http["redirects_to_https"]) == (False, "", [], True)
    fwd = listener_facts({"Protocol": "HTTP", "Port": 80, "DefaultActions": [{"Type": "forward", "TargetGroupArn": "tg"}]}, {})
    assert fwd["redirects_to_https"] is False
    tls = listener_facts({"Protocol": "TLS", "Port": 443, "SslPolicy": "P"}, {"P": ["TLSv1.2"]})
    assert (tls["tls"], tls["ssl_protocols"]) == (True, ["TLSv1.2"])
    assert listener_facts({"Protocol": "HTTPS", "SslPolicy": "unknown-policy"}, {})["ssl_protocols"] is None


def test_load_balancers_and_rules(session: boto3.Session) -> None:
    res = scan(session)
    inv = res.inventory
    assert not inv.errors
    good, bad = lb(inv, "billing-web"), lb(inv, "marketing-web")
    assert good.region == TOKYO and bad.region == VIRGINIA and good.id == good.arn and dict(good.tags) == {"owner": "billing"}
    p = good.properties
    assert (p["type"], p["scheme"], p["access_logs_enabled"], p["access_logs_bucket"]) == ("application", "internet-facing", True, "acme-prod-logs")
    assert (p["deletion_protection"], p["drop_invalid_header_fields"]) == (True, True)
    listeners = {x["port"]: x for x in p["listeners"]}
    assert listeners[80]["redirects_to_https"] is True and listeners[80]["tls"] is False
    assert listeners[443]["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[443]["ssl_protocols"] == ["TLSv1.2", "TLSv1.3"] and listeners[443]["certificates"]
    weak = {x["port"]: x for x in bad.properties["listeners"]}
    assert weak[443]["ssl_protocols"] == ["TLSv1", "TLSv1.1", "TLSv1.2"] and weak[80]["redirects_to_https"] is False
    got = statuses(inv)
    for rule in RULES:
        assert (got[(rule.id, "billing-web")], got[(rule.id, "marketing-web")]) == ("PASS", "FAIL"), rule.id
    calls = res.calls.calls
    assert calls["elbv2.DescribeLoadBalancers"] == len(DEMO_REGIONS)
    assert calls["elbv2.DescribeTags"] == calls["elbv2.DescribeSSLPolicies"] == 2  # one per Region that has load balancers
    assert calls["elbv2.DescribeListeners"] == calls["elbv2.DescribeLoadBalancerAttributes"] == 2  # one per load balancer


def test_missing_attribute_is_unknown_not_off(session: boto3.Session) -> None:
    ireland = "eu-west-1"  # a Region of its own, so the demo load balancers stay as they are
    subnets = [s["SubnetId"] for s in session.client("ec2", region_name=ireland).describe_subnets()["Subnets"]][:2]
    session.client("elbv2", region_name=ireland).create_load_balancer(Name="fresh", Subnets=subnets)
    inv = collect(session, regions=(ireland,), services=["elbv2"]).inventory
    p = lb(inv, "fresh").properties
    assert p["access_logs_enabled"] is None  # the emulator omits the attribute until it is set; AWS always reports it
    assert p["deletion_protection"] is False and p["listeners"] == []
    got = statuses(inv)
    assert got[("elb_alb_access_logging_off", "fresh")] == "UNKNOWN"
    assert got[("elb_alb_http_not_redirected_to_https", "fresh")] == "PASS"
    assert ("elb_listener_tls_policy_outdated", "fresh") not in got  # no TLS listener: not applicable


def test_failing_ssl_policies_leave_tls_unknown(session: boto3.Session) -> None:
    deny(session, "elbv2", "DescribeSSLPolicies", regions=[VIRGINIA])
    inv = scan(session).inventory
    [err] = inv.errors
    assert err.partial and err.region == VIRGINIA and err.operation == "DescribeSSLPolicies"
    got = statuses(inv)
    assert got[("elb_listener_tls_policy_outdated", "marketing-web")] == "UNKNOWN"
    assert got[("elb_listener_tls_policy_outdated", "billing-web")] == "PASS"
    assert got[("elb_alb_http_not_redirected_to_https", "marketing-web")] == "FAIL"


def test_failing_attributes_and_listeners_are_partial(session: boto3.Session) -> None:
    deny(session, "elbv2", "DescribeLoadBalancerAttributes", regions=[TOKYO])
    deny(session, "elbv2", "DescribeListeners", regions=[VIRGINIA])
    inv = scan(session).inventory
    assert len(inv.errors) == 2 and all(e.partial for e in inv.errors)
    assert lb(inv, "billing-web").properties["deletion_protection"] is None
    assert lb(inv, "marketing-web").properties["listeners"] is None
    got = statuses(inv)
    assert got[("elb_load_balancer_deletion_protection_off", "billing-web")] == "UNKNOWN"
    assert got[("elb_alb_http_not_redirected_to_https", "marketing-web")] == "UNKNOWN"
    assert got[("elb_listener_tls_policy_outdated", "marketing-web")] == "UNKNOWN"
    assert got[("elb_load_balancer_deletion_protection_off", "marketing-web")] == "FAIL"


def test_denied_listing_is_a_scope_error(session: boto3.Session) -> None:
    deny(session, "elbv2", "DescribeLoadBalancers", regions=[TOKYO])
    inv = scan(session).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.resource_types) == (TOKYO, False, ("aws.elb.load_balancer",))
    got = statuses(inv)
    assert got[("elb_load_balancer_deletion_protection_off", "*")] == "UNKNOWN"
    assert got[("elb_load_balancer_deletion_protection_off", "marketing-web")] == "FAIL"
