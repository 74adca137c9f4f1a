"""ECS services, ECR images and Lambda container images against moto: where an image runs, how exposed.

The estate: an image pushed to ECR (its digest), ECS services running it behind an
internet-facing ALB, with a public IP and a security group open to the world, behind an
internal ALB only; Lambda functions packaged as that image with and without a public URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from mamori.demo.estate import fake_credentials
from mamori.model import Inventory
from mamori.model.exposure import exposure_of, runs_image, workloads

from ..awsutil import collect, deny
from .isolated import isolated_aws

REGION = "us-east-1"
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7,
                                  "digest": "sha256:" + "c" * 64},
                       "layers": []})  # fmt: skip
PINNED = "sha256:" + "a" * 64  # a digest named in a task definition


def _estate(sess: boto3.Session) -> dict[str, str]:
    ecr, ecs, elbv2, ec2 = (sess.client(s, region_name=REGION) for s in ("ecr", "ecs", "elbv2", "ec2"))
    repo = ecr.create_repository(repositoryName="shop")["repository"]
    pushed = ecr.put_image(repositoryName="shop", imageManifest=MANIFEST, imageTag="1.0")["image"]
    digest = str(pushed["imageId"]["imageDigest"])
    uri = str(repo["repositoryUri"])
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    world = ec2.create_security_group(GroupName="world", Description="w", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=world, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])  # fmt: skip
    closed = ec2.create_security_group(GroupName="closed", Description="c", VpcId=vpc)["GroupId"]
    groups = {}
    for name, scheme in (("public-alb", "internet-facing"), ("private-alb", "internal")):
        lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme, Type="application")["LoadBalancers"][0]
        tg = elbv2.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
        groups[scheme] = tg["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": groups[scheme]}])  # fmt: skip
    ecs.create_cluster(clusterName="prod")

    def service(name: str, image: str, *, lb: str | None = None, public: bool = False, sg: str = closed) -> None:
        td = ecs.register_task_definition(family=name, networkMode="awsvpc", containerDefinitions=[
            {"name": "app", "image": image, "memory": 256}])["taskDefinition"]["taskDefinitionArn"]  # fmt: skip
        extra = {"loadBalancers": [{"targetGroupArn": lb, "containerName": "app", "containerPort": 80}]} if lb else {}
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition=td, desiredCount=1, **extra,
                           networkConfiguration={"awsvpcConfiguration": {
                               "subnets": subnets[:1], "securityGroups": [sg],
                               "assignPublicIp": "ENABLED" if public else "DISABLED"}},
                           tags=[{"key": "data-classification", "value": "confidential"}])  # fmt: skip

    service("web", f"{uri}:1.0", lb=groups["internet-facing"])  # by tag: ECR resolves it
    service("public-ip", f"{uri}@{PINNED}", public=True, sg=world)
    service("public-ip-closed", f"{uri}@{PINNED}", public=True)
    service("internal", f"{uri}@{digest}", lb=groups["internal"])
    iam = sess.client("iam")
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))  # fmt: skip
    lam = sess.client("lambda", region_name=REGION)
    for fn in ("open-fn", "private-fn"):
        lam.create_function(FunctionName=fn, Role=role["Role"]["Arn"], PackageType="Image",
                            Code={"ImageUri": f"{uri}:1.0"})  # fmt: skip
    lam.create_function_url_config(FunctionName="open-fn", AuthType="NONE")
    return {"digest": digest, "uri": uri}


@pytest.fixture
def estate() -> Iterator[tuple[boto3.Session, dict[str, str]]]:
    with fake_credentials(), isolated_aws():
        sess = boto3.Session(region_name=REGION)
        yield sess, _estate(sess)


def _collect(sess: boto3.Session) -> Inventory:
    return collect(sess, regions=(REGION,), services=["ecs", "ecr", "elbv2", "ec2", "lambda"]).inventory


def test_services_images_and_lambda_images_are_collected(estate: tuple[boto3.Session, dict[str, str]]) -> None:
    sess, facts = estate
    inv = _collect(sess)
    assert not inv.errors
    services = {r.name: r for r in inv.of_type("aws.ecs.service")}
    assert set(services) == {"web", "public-ip", "public-ip-closed", "internal"}
    web = services["web"].properties
    assert web["images"] == [f"{facts['uri']}:1.0"] and web["network_mode"] == "awsvpc"
    assert web["assign_public_ip"] is False and len(web["load_balancer_arns"]) == 1
    assert services["public-ip"].properties["image_digests"] == [PINNED]
    assert services["web"].tags["data-classification"] == "confidential"
    [img] = inv.of_type("aws.ecr.image")
    assert img.properties["digest"] == facts["digest"] and img.properties["image_tags"] == ["1.0"]
    fn = {r.name: r for r in inv.of_type("aws.lambda.function")}["open-fn"].properties
    assert fn["package_type"] == "Image" and fn["image_uri"] == f"{facts['uri']}:1.0"
    assert str(fn["image_digest"]).startswith("sha256:")


def test_exposure_of_each_workload(estate: tuple[boto3.Session, dict[str, str]]) -> None:
    sess, _ = estate
    inv = _collect(sess)
    by_name = {r.name: exposure_of(inv, r) for r in inv if r.type in ("aws.ecs.service", "aws.lambda.function")}
    assert by_name["web"][0] == "open" and "internet-facing load balancer public-alb" in by_name["web"][1]
    assert by_name["public-ip"][0] == "open" and "open to the world" in by_name["public-ip"][1]
    assert by_name["public-ip-closed"] == ("controlled", "ECS service public-ip-closed: public IP, no security "
                                                         "group open to the world")  # fmt: skip
    assert by_name["internal"] == ("controlled", "ECS service internal: no public IP, internal load balancer(s) only")
    assert by_name["open-fn"] == ("open", "Lambda open-fn: function URL without auth")
    assert by_name["private-fn"] == ("controlled", "Lambda private-fn: no public URL or policy")


def test_runs_image_by_digest_by_tag_and_by_lambda(estate: tuple[boto3.Session, dict[str, str]]) -> None:
    sess, facts = estate
    inv = _collect(sess)
    # web by its tag (resolved through ECR's images), internal by @digest
    assert {r.name for r in runs_image(inv, facts["digest"])} == {"web", "internal"}
    # a function by the digest Lambda resolved at deployment (moto makes one up), not by its tag
    fn_digest = {r.name: r for r in inv.of_type("aws.lambda.function")}["open-fn"].properties["image_digest"]
    assert {r.name for r in runs_image(inv, str(fn_digest))} == {"open-fn", "private-fn"}
    assert {r.name for r in runs_image(inv, PINNED)} == {"public-ip", "public-ip-closed"}
    assert runs_image(inv, "sha256:" + "f" * 64) == []
    assert len(workloads(inv)) == 6


def test_a_failing_target_group_lookup_leaves_the_exposure_open(estate: tuple[boto3.Session, dict[str, str]]) -> None:
    sess, _ = estate
    deny(sess, "elbv2", "DescribeTargetGroups")
    result = collect(sess, regions=(REGION,), services=["ecs"])
    assert [e.operation for e in result.inventory.errors] == ["DescribeTargetGroups"]
    services = {r.name: r for r in result.inventory.of_type("aws.ecs.service")}
    internal = services["internal"]
    assert internal.properties["load_balancer_arns"] is None
    value, note = exposure_of(result.inventory, internal)
    assert value == "open" and "not collected" in note
