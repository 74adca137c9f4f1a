"""The EC2 collector against moto: what it collects, how many calls it makes, how it fails."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from mamori.collect.aws.runner import CollectResult
from mamori.demo.estate import DEMO_REGIONS, SeedEnv, fake_credentials
from mamori.demo.seeds.ec2 import seed_ec2
from mamori.engine import evaluate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules

from ..awsutil import collect, deny

PROD = "123456789012"
TOKYO, VIRGINIA = DEMO_REGIONS
EC2_RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("ec2_")])


@pytest.fixture(scope="module")
def _estate() -> Iterator[None]:
    """Seeded once per module; the emulator's state outlives each test's session."""
    with fake_credentials(), mock_aws():
        seed_ec2(SeedEnv(session=boto3.Session(region_name=VIRGINIA), endpoint_url=None))
        yield


@pytest.fixture
def session(_estate: None) -> boto3.Session:
    """A fresh session per test, so that operations a test denies stay denied in that test only."""
    return boto3.Session(region_name=VIRGINIA)


def scan(session: boto3.Session) -> CollectResult:
    return collect(session, regions=DEMO_REGIONS, services=["ec2"])


def named(inv: Inventory, rtype: str, name: str) -> Resource:
    found = [r for r in inv.of_type(rtype) if r.name == name]
    assert len(found) == 1, f"{rtype} {name}: {[r.name for r in inv.of_type(rtype)]}"
    return found[0]


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    """rule id -> resource name -> status."""
    names = {(r.type, r.region, r.id): r.name for r in inv}
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, EC2_RULES).results:
        key = names.get((r.resource_type, r.region, r.resource_id), r.resource_id)
        out.setdefault(r.rule_id, {})[f"{r.region}/{key}"] = r.status.value
    return out


def test_collects_the_estate(session: boto3.Session) -> None:
    inv = scan(session).inventory
    assert not inv.errors
    for region in DEMO_REGIONS:
        for rtype in ("aws.ec2.security_group", "aws.ec2.volume", "aws.ec2.instance", "aws.ec2.vpc",
                      "aws.ec2.network_acl", "aws.ec2.region"):  # fmt: skip
            assert inv.is_clean(PROD, region, rtype)

    assert inv.get("aws.ec2.region", PROD, TOKYO, TOKYO).properties == {"ebs_default_encryption": True}  # type: ignore[union-attr]
    assert inv.get("aws.ec2.region", PROD, VIRGINIA, VIRGINIA).properties == {"ebs_default_encryption": False}  # type: ignore[union-attr]

    web = named(inv, "aws.ec2.security_group", "web-admin")
    assert web.region == TOKYO and web.properties["is_default"] is False
    assert web.arn.endswith(f":security-group/{web.id}")
    ssh = web.properties["ingress"][0]
    assert ssh == {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0", "ipv6": False,
                   "open_to_world": True, "source_group": "", "prefix_list": "", "description": "ssh from anywhere"}  # fmt: skip
    rdp = named(inv, "aws.ec2.security_group", "rdp-jump").properties["ingress"]
    assert [(e["cidr"], e["ipv6"], e["open_to_world"]) for e in rdp] == [("10.10.0.0/16", False, False), ("::/0", True, True)]
    billing = named(inv, "aws.ec2.security_group", "billing-api").properties["ingress"]
    assert billing[1]["source_group"] == web.id and billing[1]["cidr"] == ""

    vpc = named(inv, "aws.ec2.vpc", "acme-prod")
    assert vpc.properties["is_default"] is False and vpc.tags["env"] == "prod"
    [flow] = vpc.properties["flow_logs"]
    assert flow["status"] == "ACTIVE" and flow["traffic_type"] == "ALL" and flow["destination"] == "arn:aws:s3:::acme-prod-flow-logs"
    defaults = [s for s in inv.of_type("aws.ec2.security_group") if s.properties["is_default"]]
    emptied = [s for s in defaults if s.properties["vpc_id"] == vpc.id]
    assert len(emptied) == 1 and emptied[0].properties["ingress"] == emptied[0].properties["egress"] == []

    api = named(inv, "aws.ec2.instance", "billing-api").properties
    assert api["metadata_http_tokens"] == "required" and api["public_ip"] == "" and api["state"] == "running"
    assert api["iam_instance_profile"] == f"arn:aws:iam::{PROD}:instance-profile/billing-api"
    bastion = named(inv, "aws.ec2.instance", "bastion").properties
    assert bastion["metadata_http_tokens"] == "optional" and bastion["public_ip"] != ""
    assert bastion["security_group_ids"] == [web.id]  # from its network interface

    data = named(inv, "aws.ec2.volume", "billing-data")
    assert data.properties["encrypted"] is True and data.properties["kms_key_id"]
    instance_ids = {i.id for i in inv.of_type("aws.ec2.instance") if i.name == "billing-api"}
    assert set(data.properties["attached_instance_ids"]) == instance_ids
    scratch = named(inv, "aws.ec2.volume", "legacy-scratch")
    assert scratch.region == VIRGINIA and scratch.properties["encrypted"] is False and scratch.properties["attached"] is False

    public = named(inv, "aws.ec2.network_acl", "acme-prod-public").properties
    assert public["is_default"] is False and public["vpc_id"] == vpc.id
    assert [(e["rule_number"], e["action"], e["protocol"], e["from_port"]) for e in public["ingress"]] == [
        (100, "allow", "tcp", 22), (110, "allow", "tcp", 443)
    ]  # fmt: skip


def test_rules_on_the_collected_estate(session: boto3.Session) -> None:
    inv = scan(session).inventory
    out = outcomes(inv)
    assert out["ec2_ebs_default_encryption_off"] == {f"{TOKYO}/{TOKYO}": "PASS", f"{VIRGINIA}/{VIRGINIA}": "FAIL"}
    assert out["ec2_security_group_admin_port_open_ipv4"][f"{TOKYO}/web-admin"] == "FAIL"
    assert out["ec2_security_group_admin_port_open_ipv4"][f"{TOKYO}/rdp-jump"] == "PASS"
    assert out["ec2_security_group_admin_port_open_ipv6"][f"{TOKYO}/rdp-jump"] == "FAIL"
    assert out["ec2_security_group_admin_port_open_ipv6"][f"{TOKYO}/billing-api"] == "PASS"
    assert out["ec2_vpc_flow_logs_off"][f"{TOKYO}/acme-prod"] == "PASS"
    assert out["ec2_network_acl_admin_port_open"][f"{TOKYO}/acme-prod-public"] == "FAIL"
    assert out["ec2_network_acl_admin_port_open"][f"{TOKYO}/acme-prod-private"] == "PASS"
    assert out["ec2_instance_imdsv1_allowed"] == {f"{TOKYO}/billing-api": "PASS", f"{TOKYO}/bastion": "FAIL"}
    assert out["ec2_instance_public_ip"] == {f"{TOKYO}/billing-api": "PASS", f"{TOKYO}/bastion": "FAIL"}
    assert out["ec2_ebs_volume_unencrypted"][f"{TOKYO}/billing-data"] == "PASS"
    assert out["ec2_ebs_volume_unencrypted"][f"{VIRGINIA}/legacy-scratch"] == "FAIL"
    dsg = [r.status.value for r in evaluate(inv, EC2_RULES).results if r.rule_id == "ec2_default_security_group_allows_traffic"]
    assert sorted(dsg) == ["FAIL", "FAIL", "PASS"]  # the two default VPCs' groups, and acme-prod's (emptied)


def test_api_calls_are_once_per_region(session: boto3.Session) -> None:
    result = scan(session)
    calls = result.calls.calls
    ops = ("DescribeSecurityGroups", "DescribeVolumes", "GetEbsEncryptionByDefault", "DescribeInstances",
           "DescribeVpcs", "DescribeFlowLogs", "DescribeNetworkAcls", "DescribeSnapshots", "DescribeImages")  # fmt: skip
    assert {op: calls[f"ec2.{op}"] for op in ops} == dict.fromkeys(ops, len(DEMO_REGIONS))
    # The only per-item call: who may restore each unencrypted snapshot (encrypted ones cannot be public).
    unencrypted = [s for s in result.inventory.of_type("aws.ec2.snapshot") if not s.properties["encrypted"]]
    assert calls["ec2.DescribeSnapshotAttribute"] == len(unencrypted)
    assert sum(n for c, n in calls.items() if c.startswith("ec2.")) == len(ops) * len(DEMO_REGIONS) + len(unencrypted)


def test_a_denied_source_blinds_only_its_types_in_its_region(session: boto3.Session) -> None:
    deny(session, "ec2", "DescribeSecurityGroups", regions=[TOKYO])
    inv = scan(session).inventory
    assert [(e.region, e.operation, e.code, e.resource_types, e.partial) for e in inv.errors] == [
        (TOKYO, "DescribeSecurityGroups", "AccessDenied", ("aws.ec2.security_group",), False)
    ]
    assert not inv.is_clean(PROD, TOKYO, "aws.ec2.security_group")
    assert inv.is_clean(PROD, VIRGINIA, "aws.ec2.security_group")
    assert inv.is_clean(PROD, TOKYO, "aws.ec2.instance") and named(inv, "aws.ec2.instance", "bastion")
    assert {s.region for s in inv.of_type("aws.ec2.security_group")} == {VIRGINIA}
    results = evaluate(inv, EC2_RULES).results
    tokyo_sg = [r for r in results if r.resource_type == "aws.ec2.security_group" and r.region == TOKYO]
    assert tokyo_sg and all(r.status.value == "UNKNOWN" for r in tokyo_sg)


def test_denied_default_encryption_is_unknown_not_compliant(session: boto3.Session) -> None:
    deny(session, "ec2", "GetEbsEncryptionByDefault")
    inv = scan(session).inventory
    assert {(e.region, e.resource_types) for e in inv.errors} == {(r, ("aws.ec2.region",)) for r in DEMO_REGIONS}
    assert not inv.of_type("aws.ec2.region")
    statuses = {r.status.value for r in evaluate(inv, EC2_RULES).results if r.rule_id == "ec2_ebs_default_encryption_off"}
    assert statuses == {"UNKNOWN"}


def test_failing_flow_logs_keep_the_vpcs_unknown(session: boto3.Session) -> None:
    deny(session, "ec2", "DescribeFlowLogs", code="UnauthorizedOperation")
    inv = scan(session).inventory
    assert {(e.operation, e.code) for e in inv.errors} == {("DescribeFlowLogs", "UnauthorizedOperation")}
    vpcs = inv.of_type("aws.ec2.vpc")
    assert vpcs and all(v.properties["flow_logs"] is None for v in vpcs)
    assert {s for s in outcomes(inv)["ec2_vpc_flow_logs_off"].values()} == {"UNKNOWN"}
