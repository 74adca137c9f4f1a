"""Demo ECR: a well-run service repository, a neglected one, and a registry-wide scanning rule.

* ``billing-api`` (prod, ap-northeast-1): immutable tags, scan on push, a lifecycle policy,
  a repository policy that lets only the organisation pull: passes all four ECR rules.
* ``web-frontend`` (prod, us-east-1): mutable tags, no scanning, no lifecycle policy, and
  a policy letting anyone pull ("the CDN build needed it"): fails all four.
* ``dev-sandbox`` (dev, ap-northeast-1): the dev registry scans ``dev-*`` repositories on
  push (a registry rule), so it passes the scanning rule without a repository setting.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"
ORG_ID = "o-acme0demo1"
_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
_LIFECYCLE = {
    "rules": [
        {"rulePriority": 1, "description": "expire untagged images after 14 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "keep the last 50 releases",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
         "action": {"type": "expire"}},
    ]
}  # fmt: skip


def _policy(statement: Mapping[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@seeder("ecr", order=50)
def seed_ecr(env: SeedEnv) -> None:
    tokyo = env.client("ecr", TOKYO)
    tokyo.create_repository(
        repositoryName="billing-api", imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True},
        tags=[{"Key": "owner", "Value": "billing"}],
    )  # fmt: skip
    tokyo.put_lifecycle_policy(repositoryName="billing-api", lifecyclePolicyText=json.dumps(_LIFECYCLE))
    org_pull = {"Sid": "OrgPull", "Effect": "Allow", "Principal": "*", "Action": _PULL,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}  # fmt: skip
    tokyo.set_repository_policy(repositoryName="billing-api", policyText=_policy(org_pull))

    virginia = env.client("ecr", VIRGINIA)
    virginia.create_repository(repositoryName="web-frontend", tags=[{"Key": "owner", "Value": "marketing"}])
    anyone = {"Sid": "CdnBuildPull", "Effect": "Allow", "Principal": "*", "Action": _PULL}
    virginia.set_repository_policy(repositoryName="web-frontend", policyText=_policy(anyone))

    dev = env.client("ecr", TOKYO, account="dev")
    dev.put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "dev-*", "filterType": "WILDCARD"}]}],
    )
    dev.create_repository(repositoryName="dev-sandbox", tags=[{"Key": "owner", "Value": "dev-team"}])
