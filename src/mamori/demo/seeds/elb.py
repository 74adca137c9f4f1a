"""Demo load balancers: a well-configured ALB in prod Tokyo, a neglected one in Virginia, two Classic ones.

* ALB ``billing-web`` (prod, ap-northeast-1): HTTP:80 redirects to HTTPS, HTTPS:443 on
  ELBSecurityPolicy-TLS13-1-2-2021-06, access logs to ``acme-prod-logs``, deletion
  protection, invalid headers dropped: passes every load balancer rule.
* ALB ``marketing-web`` (prod, us-east-1): HTTP:80 forwards to the targets, HTTPS:443 on
  ELBSecurityPolicy-2016-08 (TLS 1.0/1.1), no access logs, no deletion protection,
  invalid headers passed on: fails every one.
* Classic ``legacy-api`` (prod, us-east-1): HTTP:80 and HTTPS:443 with a policy referencing
  ELBSecurityPolicy-2016-08, no access logs: fails the three Classic rules.
* Classic ``dev-gateway`` (dev, ap-northeast-1): HTTPS only, ELBSecurityPolicy-TLS-1-2-2017-01,
  access logs on (into ``acme-dev-scratch``): passes them.
"""

from __future__ import annotations

from typing import Any

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def _default_subnets(ec2: Any) -> list[str]:
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    return [str(s["SubnetId"]) for s in sorted(subnets, key=lambda s: s["AvailabilityZone"])][:2]


def _certificate(env: SeedEnv, region: str, domain: str, account: str = "prod") -> str:
    return str(env.client("acm", region, account=account).request_certificate(DomainName=domain)["CertificateArn"])


def _attributes(elbv2: Any, arn: str, *, good: bool, log_bucket: str = "") -> None:
    on = "true" if good else "false"
    attrs = [
        {"Key": "access_logs.s3.enabled", "Value": on},
        {"Key": "deletion_protection.enabled", "Value": on},
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": on},
    ]
    if good:
        attrs += [{"Key": "access_logs.s3.bucket", "Value": log_bucket}, {"Key": "access_logs.s3.prefix", "Value": "alb"}]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attrs)


def _alb(env: SeedEnv, region: str, name: str, domain: str, *, good: bool, owner: str) -> None:
    subnets = _default_subnets(env.client("ec2", region))
    elbv2 = env.client("elbv2", region)
    lb = elbv2.create_load_balancer(Name=name, Subnets=subnets, Scheme="internet-facing", Type="application",
                                    Tags=[{"Key": "owner", "Value": owner}])["LoadBalancers"][0]  # fmt: skip
    vpc = lb["VpcId"]
    tg = elbv2.create_target_group(Name=f"{name}-targets", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]
    forward = [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
    redirect = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    arn = lb["LoadBalancerArn"]
    elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=redirect if good else forward)
    elbv2.create_listener(
        LoadBalancerArn=arn, Protocol="HTTPS", Port=443, DefaultActions=forward,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06" if good else "ELBSecurityPolicy-2016-08",
        Certificates=[{"CertificateArn": _certificate(env, region, domain)}],
    )  # fmt: skip
    _attributes(elbv2, arn, good=good, log_bucket="acme-prod-logs")


def _classic(env: SeedEnv, region: str, name: str, domain: str, *, good: bool, owner: str, account: str) -> None:
    elb = env.client("elb", region, account=account)
    cert = _certificate(env, region, domain, account)
    listeners = [{"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP", "InstancePort": 8080, "SSLCertificateId": cert}]
    if not good:
        listeners.append({"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8080})
    elb.create_load_balancer(LoadBalancerName=name, Listeners=listeners, AvailabilityZones=[f"{region}a"],
                             Tags=[{"Key": "owner", "Value": owner}])  # fmt: skip
    reference = "ELBSecurityPolicy-TLS-1-2-2017-01" if good else "ELBSecurityPolicy-2016-08"
    elb.create_load_balancer_policy(
        LoadBalancerName=name, PolicyName=reference, PolicyTypeName="SSLNegotiationPolicyType",
        PolicyAttributes=[{"AttributeName": "Reference-Security-Policy", "AttributeValue": reference}],
    )  # fmt: skip
    elb.set_load_balancer_policies_of_listener(LoadBalancerName=name, LoadBalancerPort=443, PolicyNames=[reference])
    log = {"Enabled": True, "S3BucketName": "acme-dev-scratch", "EmitInterval": 60, "S3BucketPrefix": f"elb/{name}"} if good else {"Enabled": False}
    elb.modify_load_balancer_attributes(LoadBalancerName=name, LoadBalancerAttributes={"AccessLog": log})


@seeder("elb", order=50)
def seed_elb(env: SeedEnv) -> None:
    _alb(env, TOKYO, "billing-web", "billing.acme.example", good=True, owner="billing")
    _alb(env, VIRGINIA, "marketing-web", "www.acme.example", good=False, owner="marketing")
    _classic(env, VIRGINIA, "legacy-api", "legacy-api.acme.example", good=False, owner="platform", account="prod")
    _classic(env, TOKYO, "dev-gateway", "dev.acme.example", good=True, owner="dev-team", account="dev")
