"""Where images run (``scan_workloads``) is recorded by a distributed scan and by `scan --org` as by one
process: moto in-process, an organization, ECS services behind an internet-facing ALB, in another Region
and in another account pulling the first account's ECR image by tag, and a Lambda image with a public URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from sqlalchemy import select

from mamori.collect.aws.org import list_org_accounts
from mamori.collect.aws.session import AwsTarget
from mamori.findings import Store
from mamori.findings.tables import scan_workloads
from mamori.fleet import service
from mamori.fleetstore import ops
from mamori.gate.deps.risk import RiskContext
from mamori.gate.image.context import ExposureRequest, image_risk_context
from mamori.rules import load_rules
from mamori.scan.org import OrgScanRequest, scan_org
from mamori.scan.service import CollectRequest, ScanRequest, scan

from ..collect.isolated import isolated_aws
from ..scan.orgutil import REGION, BuiltOrg, build_org, member_session

OTHER = "eu-west-1"
REGIONS = (REGION, OTHER)
SERVICES = ("ecs", "ecr", "elbv2", "ec2", "lambda")
RULES = load_rules().select(["ecr_repository_scan_on_push_off"])
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7,
                                  "digest": "sha256:" + "c" * 64},
                       "layers": []})  # fmt: skip


def _service(sess: boto3.Session, region: str, name: str, image: str, *, tg: str | None = None) -> None:
    ecs, ec2 = sess.client("ecs", region_name=region), sess.client("ec2", region_name=region)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    sg = ec2.create_security_group(GroupName=f"{name}-sg", Description="closed", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="prod")
    td = ecs.register_task_definition(family=name, networkMode="awsvpc", containerDefinitions=[
        {"name": "app", "image": image, "memory": 256}])["taskDefinition"]["taskDefinitionArn"]  # fmt: skip
    extra = {"loadBalancers": [{"targetGroupArn": tg, "containerName": "app", "containerPort": 80}]} if tg else {}
    ecs.create_service(cluster="prod", serviceName=name, taskDefinition=td, desiredCount=1, **extra,
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": [subnet], "securityGroups": [sg], "assignPublicIp": "DISABLED"}})  # fmt: skip


def _plant(sess: boto3.Session, other: boto3.Session) -> dict[str, str]:
    ecr, elbv2, ec2 = (sess.client(s, region_name=REGION) for s in ("ecr", "elbv2", "ec2"))
    uri = str(ecr.create_repository(repositoryName="shop")["repository"]["repositoryUri"])
    digest = str(ecr.put_image(repositoryName="shop", imageManifest=MANIFEST, imageTag="1.0")["image"]["imageId"]["imageDigest"])
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    lb = elbv2.create_load_balancer(Name="public-alb", Subnets=subnets, Scheme="internet-facing", Type="application")
    tg = elbv2.create_target_group(Name="public-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancers"][0]["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}])  # fmt: skip
    _service(sess, REGION, "web", f"{uri}:1.0", tg=tg_arn)  # behind the internet-facing ALB
    _service(sess, OTHER, "edge", f"{uri}:1.0")  # another Region's shard: its tag resolves in the finaliser
    _service(other, REGION, "batch", f"{uri}:1.0")  # another account pulls the image
    role = sess.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))  # fmt: skip
    lam = sess.client("lambda", region_name=REGION)
    lam.create_function(FunctionName="open-fn", Role=role["Role"]["Arn"], PackageType="Image", Code={"ImageUri": f"{uri}:1.0"})
    lam.create_function_url_config(FunctionName="open-fn", AuthType="NONE")
    return {"digest": digest, "uri": uri}


@pytest.fixture
def org() -> Iterator[tuple[boto3.Session, BuiltOrg, dict[str, str]]]:
    with isolated_aws():
        sess = boto3.Session(region_name=REGION)
        o = build_org(sess, members=2, regions=REGIONS)
        planted = _plant(member_session(sess, o.members[0]), member_session(sess, o.members[1]))
        yield sess, o, planted


def _rows(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        got = conn.execute(select(scan_workloads)).mappings().all()
    return sorted((r["account"], r["region"], r["resource_type"], r["name"], r["digest"], r["exposure"], r["note"],
                   r["resource_arn"], json.dumps(r["tags"], sort_keys=True)) for r in got)  # fmt: skip


def test_distributed_and_org_scans_record_the_single_process_workloads(
    org: tuple[boto3.Session, BuiltOrg, dict[str, str]], tmp_path: Path
) -> None:  # fmt: skip
    sess, o, planted = org
    plan = list_org_accounts(sess, base=AwsTarget(regions=REGIONS, workers=4))
    single = Store.open(str(tmp_path / "single.db"))
    scan(ScanRequest(CollectRequest(targets=tuple(plan.targets), services=SERVICES), RULES, single))
    expected = _rows(single)
    digest = planted["digest"]
    a, b = o.members
    assert {(r[0], r[1], r[3], r[5]) for r in expected} == {
        (a, REGION, "open-fn", "open"), (a, REGION, "web", "open"), (a, OTHER, "edge", "controlled"),
        (b, REGION, "batch", "controlled")}  # fmt: skip
    # the tag resolves through account a's ECR in us-east-1, from the other Region and the other account too
    assert {r[3] for r in expected if r[4] == digest} == {"web", "edge", "batch"}

    fleet = Store.open(str(tmp_path / "fleet.db"))
    out = service.run_inline(fleet, plan.targets, RULES, services=SERVICES)
    assert out.merged.failed == []
    assert _rows(fleet) == expected
    # a shard ships its own rows; the Region and the account without the repository leave the tag pending
    payloads = {s: p for s, _, _, p in ops.shard_payloads(fleet.engine, out.scan.id)}
    assert [w["name"] for w in payloads[f"{a}/{OTHER}"]["workloads"]["pending"]] == ["edge"]
    assert payloads[f"{a}/{REGION}"]["workloads"]["ecr_tags"] == [[planted["uri"], "1.0", digest]]
    # storing a shard again (a redelivery) and finalising again records nothing twice
    shard = f"{a}/{REGION}"
    assert service.report(fleet, out.scan.id, shard, "ok", 2, payloads[shard])
    service.finalise(fleet, out.scan.id, RULES)
    assert _rows(fleet) == expected

    org_store = Store.open(str(tmp_path / "org.db"))
    scan_org(OrgScanRequest(plan, RULES, session=sess, services=SERVICES, store=org_store))
    assert _rows(org_store) == expected


def test_gate_image_exposure_resolves_from_a_broker_scan(
    org: tuple[boto3.Session, BuiltOrg, dict[str, str]], tmp_path: Path
) -> None:  # fmt: skip
    sess, _o, planted = org
    plan = list_org_accounts(sess, base=AwsTarget(regions=REGIONS, workers=4))
    db = str(tmp_path / "fleet.db")
    service.run_inline(Store.open(db), plan.targets, RULES, services=SERVICES)
    notices: list[Any] = []
    ctx = image_risk_context(ExposureRequest((planted["digest"],), db=db), RiskContext(), notices)
    assert ctx.exposure is not None and ctx.exposure.value == "open", notices
    assert "ECS service web: behind internet-facing load balancer public-alb" in ctx.exposure.note
    assert "ECS service edge: no public IP" in ctx.exposure.note  # resolved across Regions by the finaliser
    [fn] = [r for r in _rows(Store.open(db)) if r[3] == "open-fn"]  # the digest Lambda resolved
    ctx = image_risk_context(ExposureRequest((fn[4],), db=db), RiskContext(), notices)
    assert ctx.exposure is not None and ctx.exposure.value == "open"
    assert ctx.exposure.note == "Lambda open-fn: function URL without auth"
    assert not notices
