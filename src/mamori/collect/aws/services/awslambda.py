"""Lambda: functions (``aws.lambda.function``) with their runtime, network placement, resource policy and URL.

Regional. ``ListFunctions`` is the bulk call (runtime, package type, VPC configuration);
per function, because Lambda has no bulk read of them: ``GetPolicy`` (``ResourceNotFoundException``
= no resource policy, a fact) and ``GetFunctionUrlConfig`` (``ResourceNotFoundException`` =
no function URL) and, for a function packaged as a container image, ``GetFunction`` (its
image URI and the digest Lambda resolved it to). A failing detail call leaves the properties it feeds ``None`` (unknown).
The module is not called ``lambda`` because that is a Python keyword; the collector is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext
from mamori.collect.aws.policy import as_list, decode_document, public_statements, restricting, statements
from mamori.model.resource import Resource
from mamori.model.resources.awslambda import FUNCTION, LambdaFunction

_NOT_FOUND = ("ResourceNotFoundException",)
# Service principals that invoke a function on behalf of resources in any account unless the
# policy names the source account or resource (Security Hub Lambda.1's "confused deputy" case).
_CROSS_ACCOUNT_SERVICES = frozenset({"s3.amazonaws.com"})


def unrestricted_service_statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Allow statements for a service principal such as S3 with no source account or ARN condition."""
    out: list[dict[str, Any]] = []
    for i, stmt in enumerate(statements(policy)):
        principal = stmt.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if stmt.get("Effect") != "Allow" or not _CROSS_ACCOUNT_SERVICES & {str(s) for s in services}:
            continue
        if restricting(stmt.get("Condition")):
            continue
        out.append({"sid": str(stmt.get("Sid", "")), "index": i, "action": as_list(stmt.get("Action"))})
    return out


@COLLECTORS.register("lambda")
class LambdaCollector(AwsCollector):
    service = "lambda"
    scope = "regional"
    resource_types = (FUNCTION,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("lambda", region)
        for fn in ctx.paginate(client, "list_functions", "Functions"):
            yield _function(ctx, client, region, fn)


def _function(ctx: CollectContext, client: Any, region: str, fn: dict[str, Any]) -> Resource:
    name = str(fn["FunctionName"])

    def detail(op: str, absent_value: Any) -> Any:
        return ctx.call(
            client, op, region=region, resource_type=FUNCTION, resource_id=name,
            absent=_NOT_FOUND, absent_value=absent_value, FunctionName=name,
        )  # fmt: skip

    policy_resp = detail("get_policy", {})
    url_resp = detail("get_function_url_config", {})
    policy: Any = MISSING
    public: Any = MISSING
    if policy_resp is not MISSING:
        policy = decode_document(policy_resp.get("Policy")) or {}
        public = public_statements(policy) + unrestricted_service_statements(policy)
    image_uri: Any = ""
    image_digest: Any = ""
    if fn.get("PackageType") == "Image":  # the image and its resolved digest: only GetFunction has them
        code = detail("get_function", MISSING)
        code = MISSING if code is MISSING else (code.get("Code") or {})
        image_uri = MISSING if code is MISSING else str(code.get("ImageUri") or "")
        resolved = "" if code is MISSING else str(code.get("ResolvedImageUri") or "")
        image_digest = MISSING if code is MISSING else (resolved.split("@", 1)[1] if "@" in resolved else "")
    vpc = fn.get("VpcConfig") or {}
    subnets = list(vpc.get("SubnetIds") or [])
    props: dict[str, Any] = {
        "runtime": fn.get("Runtime", ""),
        "package_type": fn.get("PackageType", "Zip"),
        "handler": fn.get("Handler", ""),
        "role": fn.get("Role", ""),
        "last_modified": fn.get("LastModified", ""),
        "architectures": list(fn.get("Architectures") or ["x86_64"]),
        "in_vpc": bool(subnets),
        "vpc_id": vpc.get("VpcId") or "",
        "subnet_ids": subnets,
        "security_group_ids": list(vpc.get("SecurityGroupIds") or []),
        "kms_key_arn": fn.get("KMSKeyArn") or "",
        "policy": policy,
        "policy_public": MISSING if public is MISSING else bool(public),
        "public_statements": public,
        "url": MISSING if url_resp is MISSING else url_resp.get("FunctionUrl", ""),
        "url_auth_type": MISSING if url_resp is MISSING else url_resp.get("AuthType", ""),
        "image_uri": image_uri,
        "image_digest": image_digest,
    }
    return ctx.resource(LambdaFunction.of(props), region, name, arn=str(fn.get("FunctionArn", "")), name=name)
