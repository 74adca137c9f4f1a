"""One rule, three sources: a resource made through the AWS API (moto) and collected, the same
resource in Terraform and in CloudFormation must get the same verdict from the same rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from mamori.collect.iac.cases import case_resources, pick
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import RuleSet, load_rules

from ...awsutil import collect
from ...collect.isolated import isolated_aws

RULES = load_rules()
PUBLIC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]}

Make = Callable[[boto3.Session, str], None]
"""Creates the resource through the API under the given name (or Name tag, or alias)."""


def _sqs(attrs: dict[str, str]) -> Make:
    return lambda s, name: s.client("sqs").create_queue(QueueName=name, Attributes=attrs) and None


def _volume(enc: bool) -> Make:
    return lambda s, name: s.client("ec2").create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=enc,
                                                         TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}]) and None  # fmt: skip


def _table(**kw: Any) -> Make:
    def make(s: boto3.Session, name: str) -> None:
        ddb = s.client("dynamodb")
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], **kw)  # fmt: skip

    return make


def _key(rotate: bool) -> Make:
    def make(s: boto3.Session, name: str) -> None:
        kid = s.client("kms").create_key()["KeyMetadata"]["KeyId"]
        s.client("kms").create_alias(AliasName=f"alias/{name}", TargetKeyId=kid)
        if rotate:
            s.client("kms").enable_key_rotation(KeyId=kid)

    return make


def _sg(cidr: str) -> Make:
    def make(s: boto3.Session, name: str) -> None:
        ec2 = s.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        gid = ec2.create_security_group(GroupName=name, Description="ssh", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": cidr}]}])

    return make


def _repo(immutable: bool) -> Make:
    return lambda s, name: s.client("ecr").create_repository(repositoryName=name, imageTagMutability="IMMUTABLE" if immutable else "MUTABLE") and None


def _log_group(days: int) -> Make:
    def make(s: boto3.Session, name: str) -> None:
        s.client("logs").create_log_group(logGroupName=name)
        s.client("logs").put_retention_policy(logGroupName=name, retentionInDays=days)

    return make


SSH_TF = 'resource "aws_security_group" "s" {\n  ingress {\n    protocol = "tcp"\n    from_port = 22\n    to_port = 22\n    cidr_blocks = ["%s"]\n  }\n}\n'
SSH_CFN = "Resources:\n  S:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: ssh\n      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: '%s'}]\n"

# (rule, service collected, expected, API setup, Terraform, CloudFormation)
SCENARIOS: list[tuple[str, str, str, Make, str, str]] = [
    ("sqs_queue_not_encrypted", "sqs", "FAIL", _sqs({"SqsManagedSseEnabled": "false"}),
     'resource "aws_sqs_queue" "q" {\n  sqs_managed_sse_enabled = false\n}\n', "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {SqsManagedSseEnabled: false}\n"),
    ("sqs_queue_not_encrypted", "sqs", "PASS", _sqs({"KmsMasterKeyId": "alias/aws/sqs"}),
     'resource "aws_sqs_queue" "q" {\n  kms_master_key_id = "alias/aws/sqs"\n}\n', "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {KmsMasterKeyId: alias/aws/sqs}\n"),
    ("sqs_queue_public", "sqs", "FAIL", _sqs({"Policy": json.dumps(PUBLIC)}),
     'resource "aws_sqs_queue" "q" {{\n  policy = jsonencode({})\n}}\n'.format(json.dumps(PUBLIC).replace('": ', '" = ')),
     f"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  P:\n    Type: AWS::SQS::QueuePolicy\n    Properties:\n      Queues: [!Ref Q]\n      PolicyDocument: {json.dumps(PUBLIC)}\n"),
    ("sqs_queue_public", "sqs", "PASS", _sqs({}), 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"),
    ("ec2_ebs_volume_unencrypted", "ec2", "FAIL", _volume(False), 'resource "aws_ebs_volume" "v" {\n  size = 10\n}\n',
     "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties: {Size: 10, AvailabilityZone: us-east-1a}\n"),
    ("ec2_ebs_volume_unencrypted", "ec2", "PASS", _volume(True), 'resource "aws_ebs_volume" "v" {\n  size = 10\n  encrypted = true\n}\n',
     "Resources:\n  V:\n    Type: AWS::EC2::Volume\n    Properties: {Size: 10, Encrypted: true}\n"),
    ("dynamodb_table_deletion_protection_off", "dynamodb", "FAIL", _table(), 'resource "aws_dynamodb_table" "t" {\n  name = "orders"\n}\n',
     "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n"),
    ("dynamodb_table_deletion_protection_off", "dynamodb", "PASS", _table(DeletionProtectionEnabled=True),
     'resource "aws_dynamodb_table" "t" {\n  deletion_protection_enabled = true\n}\n', "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: {DeletionProtectionEnabled: true}\n"),
    ("dynamodb_table_not_encrypted_with_kms", "dynamodb", "FAIL", _table(), 'resource "aws_dynamodb_table" "t" {\n  name = "orders"\n}\n',
     "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n"),
    ("dynamodb_table_not_encrypted_with_kms", "dynamodb", "PASS", _table(SSESpecification={"Enabled": True, "SSEType": "KMS"}),
     'resource "aws_dynamodb_table" "t" {\n  server_side_encryption {\n    enabled = true\n  }\n}\n', "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: {SSESpecification: {SSEEnabled: true}}\n"),
    ("kms_key_rotation_disabled", "kms", "FAIL", _key(False), 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n', "Resources:\n  K:\n    Type: AWS::KMS::Key\n"),
    ("kms_key_rotation_disabled", "kms", "PASS", _key(True), 'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n',
     "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties: {EnableKeyRotation: true}\n"),
    ("ec2_security_group_admin_port_open_ipv4", "ec2", "FAIL", _sg("0.0.0.0/0"), SSH_TF % "0.0.0.0/0", SSH_CFN % "0.0.0.0/0"),
    ("ec2_security_group_admin_port_open_ipv4", "ec2", "PASS", _sg("10.0.0.0/8"), SSH_TF % "10.0.0.0/8", SSH_CFN % "10.0.0.0/8"),
    ("ecr_repository_tags_mutable", "ecr", "FAIL", _repo(False), 'resource "aws_ecr_repository" "r" {\n  name = "app"\n}\n', "Resources:\n  R:\n    Type: AWS::ECR::Repository\n"),
    ("ecr_repository_tags_mutable", "ecr", "PASS", _repo(True), 'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
     "Resources:\n  R:\n    Type: AWS::ECR::Repository\n    Properties: {ImageTagMutability: IMMUTABLE}\n"),
    ("logs_log_group_retention_short", "logs", "FAIL", _log_group(30), 'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = 30\n}\n',
     "Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties: {RetentionInDays: 30}\n"),
    ("logs_log_group_retention_short", "logs", "PASS", _log_group(400), 'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = 400\n}\n',
     "Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties: {RetentionInDays: 400}\n"),
]  # fmt: skip


def _verdict(rule_id: str, resources: list[Any], mine: list[Any]) -> set[str]:
    ids = {(x.type, x.id) for x in mine}
    results = evaluate(Inventory(resources), RuleSet([RULES.get(rule_id)])).results
    return {r.status.value for r in results if (r.resource_type, r.resource_id) in ids}


def _named(resources: list[Any], rtype: str, name: str) -> list[Any]:
    return [r for r in resources if r.type == rtype and (name in (r.id, r.name) or f"alias/{name}" in (r.properties.get("aliases") or []))]


BY_RULE: dict[str, list[tuple[str, str, str, Make, str, str]]] = {}
for _sc in SCENARIOS:
    BY_RULE.setdefault(_sc[0], []).append(_sc)


@pytest.mark.parametrize("rule_id", sorted(BY_RULE))
def test_same_verdict_collector_terraform_cloudformation(rule_id: str) -> None:
    """The rule's pass and fail resources made through the API (one estate, one collection),
    in Terraform and in CloudFormation: the same verdict each time."""
    rtype = RULES.get(rule_id).spec.resource_type
    scenarios = BY_RULE[rule_id]
    with isolated_aws():
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        for _, _, expect, make, _, _ in scenarios:
            make(session, f"x-{expect.lower()}")
        live = list(collect(session, regions=("us-east-1",), services=[scenarios[0][1]]).inventory)
    for _, _, expect, _, tf, cfn in scenarios:
        tf_res, cfn_res = case_resources("terraform", tf), case_resources("cloudformation", cfn)
        tf_one, cfn_one = pick(tf_res, rtype, None), pick(cfn_res, rtype, None)
        assert tf_one is not None and cfn_one is not None
        mine = _named(live, rtype, f"x-{expect.lower()}")
        assert len(mine) == 1, (expect, [(r.id, r.name) for r in live if r.type == rtype])
        got = {"collector": _verdict(rule_id, live, mine), "terraform": _verdict(rule_id, tf_res, [tf_one]),
               "cloudformation": _verdict(rule_id, cfn_res, [cfn_one])}  # fmt: skip
        assert got == {k: {expect} for k in got}, (expect, got)
