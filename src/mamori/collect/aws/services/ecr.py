"""ECR: private repositories (``aws.ecr.repository``) with scanning, tag mutability and policies.

Regional scope. Bulk calls: one paginated DescribeRepositories (scan on push, tag
mutability, encryption) and one GetRegistryScanningConfiguration (the registry's basic /
enhanced scanning rules, which decide what really gets scanned). Per repository, since no
bulk form exists, through :meth:`CollectContext.call`: GetLifecyclePolicy,
GetRepositoryPolicy ("not found" answers are facts: no policy) and ListTagsForResource.

Whether a repository is scanned follows ECR's rules: with *enhanced* scanning only the
registry's rules count (``CONTINUOUS_SCAN`` or ``SCAN_ON_PUSH`` filters matching the
repository); with *basic* scanning a matching ``SCAN_ON_PUSH`` rule or the repository's
own (legacy) scan-on-push setting does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.collect.aws.services.s3_policy import public_statements
from mamori.model.resource import Resource
from mamori.model.resources.ecr import IMAGE, REPOSITORY, EcrImage, EcrRepository

_FREQUENCY_RANK = {"MANUAL": 0, "SCAN_ON_PUSH": 1, "CONTINUOUS_SCAN": 2}


def _matches(filter_: str, name: str) -> bool:
    """ECR repository filters: ``*`` matches any run of characters, nothing else is special."""
    pattern = "^" + ".*".join(re.escape(part) for part in filter_.split("*")) + "$"
    return re.match(pattern, name) is not None


def scan_frequency(registry: dict[str, Any], name: str, scan_on_push: bool) -> str:
    """How the repository's images are scanned: ``CONTINUOUS_SCAN``, ``SCAN_ON_PUSH`` or ``MANUAL``."""
    best = "MANUAL"
    for rule in registry.get("rules") or []:
        freq = str(rule.get("scanFrequency") or "MANUAL")
        if any(_matches(str(f.get("filter", "")), name) for f in rule.get("repositoryFilters") or []):
            best = max(best, freq, key=lambda f: _FREQUENCY_RANK.get(f, 0))
    if str(registry.get("scanType") or "BASIC") != "ENHANCED" and scan_on_push and best == "MANUAL":
        best = "SCAN_ON_PUSH"
    return best


@COLLECTORS.register("ecr")
class EcrCollector(AwsCollector):
    service = "ecr"
    scope = "regional"
    resource_types = (REPOSITORY, IMAGE)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("ecr", region)
        repos = ctx.paginate(client, "describe_repositories", "repositories")
        if not repos:
            return
        registry = ctx.call(
            client, "get_registry_scanning_configuration", region=region, resource_type=REPOSITORY,
            resource_id=f"registry {ctx.account} {region}",
        )  # fmt: skip
        scanning = MISSING if registry is MISSING else (registry.get("scanningConfiguration") or {})
        for repo in repos:
            yield _repository(ctx, client, region, repo, scanning)
            yield from _images(ctx, client, region, repo)


def _images(ctx: CollectContext, client: Any, region: str, repo: dict[str, Any]) -> Iterator[Resource]:
    """One ``aws.ecr.image`` per image digest: what a tag in a task definition resolves to."""
    name = str(repo["repositoryName"])
    details: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = ctx.call(client, "describe_images", region=region, resource_type=IMAGE, resource_id=name,
                        repositoryName=name, maxResults=1000, **({"nextToken": token} if token else {}))  # fmt: skip
        if page is MISSING:
            return
        details.extend(page.get("imageDetails") or [])
        token = page.get("nextToken")
        if not token:
            break
    uri = str(repo.get("repositoryUri") or "")
    for d in details:
        digest = str(d.get("imageDigest") or "")
        if not digest:
            continue
        props = {
            "repository": name,
            "repository_uri": uri,
            "digest": digest,
            "image_tags": sorted(str(t) for t in d.get("imageTags") or []),
            "pushed_at": iso(d.get("imagePushedAt")) or "",
            "size_bytes": int(d.get("imageSizeInBytes") or 0),
        }
        arn = f"{repo.get('repositoryArn') or ctx.arn('ecr', region, f'repository/{name}')}@{digest}"
        yield ctx.resource(EcrImage.of(props), region, f"{name}@{digest}", arn=arn, name=name)


def _repository(ctx: CollectContext, client: Any, region: str, repo: dict[str, Any], scanning: Any) -> Resource:
    name = str(repo["repositoryName"])
    arn = str(repo.get("repositoryArn") or ctx.arn("ecr", region, f"repository/{name}"))

    def call(operation: str, absent: tuple[str, ...] = (), **kw: Any) -> Any:
        return ctx.call(client, operation, region=region, resource_type=REPOSITORY, resource_id=name,
                        absent=absent, absent_value={}, **kw)  # fmt: skip

    scan_on_push = bool((repo.get("imageScanningConfiguration") or {}).get("scanOnPush", False))
    frequency = MISSING if scanning is MISSING else scan_frequency(scanning, name, scan_on_push)
    encryption = repo.get("encryptionConfiguration") or {}
    lifecycle = call("get_lifecycle_policy", ("LifecyclePolicyNotFoundException",), repositoryName=name)
    policy_resp = call("get_repository_policy", ("RepositoryPolicyNotFoundException",), repositoryName=name)
    tags_resp = call("list_tags_for_resource", resourceArn=arn)
    props: dict[str, Any] = {
        "created": iso(repo.get("createdAt")) or "",
        "uri": str(repo.get("repositoryUri") or ""),
        "image_tag_mutability": str(repo.get("imageTagMutability") or ""),
        "tags_immutable": str(repo.get("imageTagMutability") or "").startswith("IMMUTABLE"),
        "scan_on_push": scan_on_push,
        "registry_scan_type": MISSING if scanning is MISSING else str(scanning.get("scanType") or "BASIC"),
        "scan_frequency": frequency,
        "scanning_configured": MISSING if frequency is MISSING else frequency != "MANUAL",
        "encryption_type": str(encryption.get("encryptionType") or ""),
        "kms_key": str(encryption.get("kmsKey") or ""),
        "lifecycle_policy_present": MISSING if lifecycle is MISSING else bool(lifecycle.get("lifecyclePolicyText")),
    }
    props |= _policy(policy_resp)
    tags = {} if tags_resp is MISSING else tags_of(tags_resp.get("tags"))
    return ctx.resource(EcrRepository.of(props), region, name, arn=arn, name=name, tags=tags)


def _policy(resp: Any) -> dict[str, Any]:
    keys = ("policy", "policy_present", "policy_public", "policy_public_statements")
    if resp is MISSING:
        return dict.fromkeys(keys)
    text = resp.get("policyText") if resp else None
    if not text:
        return dict(zip(keys, ({}, False, False, []), strict=True))
    try:
        doc = json.loads(text)
    except ValueError:
        return dict.fromkeys(keys)
    doc = doc if isinstance(doc, dict) else {}
    public = public_statements(doc)
    return {"policy": doc, "policy_present": True, "policy_public": bool(public), "policy_public_statements": public}
