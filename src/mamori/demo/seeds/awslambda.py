"""Demo Lambda functions: public and private, current and deprecated runtimes, in and out of a VPC.

prod, ap-northeast-1: ``billing-api`` (python3.12, in the VPC, no resource policy, a
function URL that needs IAM auth: compliant everywhere) and ``thumbnailer`` (nodejs16.x,
deprecated; not in a VPC; invoked by S3 with the source account pinned: not public).
prod, us-east-1: ``stripe-webhook`` (a function URL with AuthType NONE and a resource
policy letting anyone invoke it: public) and ``legacy-report`` (python3.7, deprecated;
invoked by an EventBridge rule named in the policy).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def _package() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buf.getvalue()


def _private_subnet(ec2: Any) -> tuple[list[str], list[str]]:
    """The acme-prod private subnet (from the EC2 seeder) or the default VPC's first subnet, and a group."""
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": ["acme-prod-private"]}])["Subnets"]
    subnets = subnets or ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnet = subnets[0]
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [subnet["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return [str(subnet["SubnetId"])], [str(g["GroupId"]) for g in groups[:1]]


@seeder("lambda", order=30)
def seed_lambda(env: SeedEnv) -> None:
    iam = env.client("iam")
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = str(
        iam.create_role(
            RoleName="acme-lambda-exec",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
        )["Role"]["Arn"]
    )
    code = {"ZipFile": _package()}

    def function(client: Any, name: str, runtime: str, **kw: Any) -> str:
        return str(
            client.create_function(
                FunctionName=name, Runtime=runtime, Role=role, Handler="index.handler", Code=code,
                Tags={"team": "platform"}, **kw,
            )["FunctionArn"]
        )  # fmt: skip

    tokyo = env.client("lambda", TOKYO)
    subnets, groups = _private_subnet(env.client("ec2", TOKYO))
    function(tokyo, "billing-api", "python3.12", VpcConfig={"SubnetIds": subnets, "SecurityGroupIds": groups})
    tokyo.create_function_url_config(FunctionName="billing-api", AuthType="AWS_IAM")
    function(tokyo, "thumbnailer", "nodejs16.x")
    tokyo.add_permission(
        FunctionName="thumbnailer", StatementId="s3-uploads", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::acme-prod-uploads", SourceAccount=env.account,
    )  # fmt: skip

    east = env.client("lambda", VIRGINIA)
    function(east, "stripe-webhook", "python3.12")
    east.create_function_url_config(FunctionName="stripe-webhook", AuthType="NONE")
    east.add_permission(
        FunctionName="stripe-webhook", StatementId="public-url", Action="lambda:InvokeFunctionUrl",
        Principal="*", FunctionUrlAuthType="NONE",
    )  # fmt: skip
    function(east, "legacy-report", "python3.7")
    east.add_permission(
        FunctionName="legacy-report", StatementId="nightly", Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com", SourceArn=f"arn:aws:events:{VIRGINIA}:{env.account}:rule/nightly-report",
    )  # fmt: skip
