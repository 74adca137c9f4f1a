"""Demo ECS: the shop's web service runs the demo container image behind the internet-facing ALB.

* ``shop/shop-web`` (prod, us-east-1): Fargate-style ``awsvpc`` service, no public IP, behind
  the ``marketing-web`` ALB (internet-facing, seeded by ``elb``); its task definition names
  the demo image (``mamori gate image --demo``) by digest, and the service is tagged
  ``data-classification=confidential``. After `mamori demo`, the image gate finds where the
  image runs in the store's last scan: exposure ``open`` from the inventory, not assumed.
"""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder

VIRGINIA = "us-east-1"
#: the config digest of the shipped demo image (tests/demo check it against the archive)
DEMO_IMAGE_DIGEST = "sha256:5eb50b1eddf99ca2d2f967affeff18247bd831a0ffe8228d92b505d6b661242a"


@seeder("ecs", order=60)  # after elb: the service joins marketing-web's target group
def seed_ecs(env: SeedEnv) -> None:
    ecs = env.client("ecs", VIRGINIA)
    elbv2 = env.client("elbv2", VIRGINIA)
    ec2 = env.client("ec2", VIRGINIA)
    tg = elbv2.describe_target_groups(Names=["marketing-web-targets"])["TargetGroups"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnet = subnets[0]
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [subnet["VpcId"]]},
                                                       {"Name": "group-name", "Values": ["default"]}])  # fmt: skip
    account = env.client("sts", VIRGINIA).get_caller_identity()["Account"]
    ecs.create_cluster(clusterName="shop")
    image = f"{account}.dkr.ecr.{VIRGINIA}.amazonaws.com/web-frontend@{DEMO_IMAGE_DIGEST}"
    td = ecs.register_task_definition(
        family="shop-web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "web", "image": image, "essential": True,
                               "portMappings": [{"containerPort": 8080}]}],
    )["taskDefinition"]  # fmt: skip
    ecs.create_service(
        cluster="shop", serviceName="shop-web", taskDefinition=td["taskDefinitionArn"], desiredCount=2,
        launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": tg["TargetGroupArn"], "containerName": "web", "containerPort": 8080}],
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": [str(subnet["SubnetId"])], "assignPublicIp": "DISABLED",
            "securityGroups": [str(default_sg["SecurityGroups"][0]["GroupId"])]}},
        tags=[{"key": "owner", "value": "marketing"}, {"key": "data-classification", "value": "confidential"}],
    )  # fmt: skip
