"""S3: general purpose buckets (``aws.s3.bucket``) and the account's public access block (``aws.s3.account``).

Global scope (once per account): one ListBuckets, one S3 Control GetPublicAccessBlock
for the account, then per bucket (S3 has no bulk read of bucket settings), in a small
thread pool and each through :meth:`CollectContext.call`: GetBucketLocation (unless
ListBuckets already said ``BucketRegion``), GetPublicAccessBlock, GetBucketAcl,
GetBucketPolicy (+ GetBucketPolicyStatus when there is a policy), GetBucketEncryption,
GetBucketVersioning, GetBucketLogging and GetBucketTagging.

Buckets are placed in their own region and only those in the scanned regions are kept
(and read), so ``coverage`` reports the bucket type for every scanned region. "Not
configured" answers (no policy, no public access block, no default encryption, no tags)
are facts, not failures; any other failing detail leaves ``None`` (unknown) in what it
feeds. A failing ListBuckets is a scope error for buckets in every scanned region.

Emulator endpoints: S3 Control resolves its host as ``<account-id>.<endpoint host>``
(botocore's endpoint rules, which ``inject_host_prefix=False`` does not reach); when a
custom endpoint is given, the account prefix is taken off again so the call reaches it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.base import (
    COLLECTORS,
    MISSING,
    AwsCollector,
    CollectContext,
    error_code,
    error_message,
    iso,
    tags_of,
)
from mamori.collect.aws.services.s3_policy import (
    denies_insecure_transport,
    grants_read,
    grants_write,
    public_grants,
    public_statements,
)
from mamori.collect.aws.session import keep_endpoint_host
from mamori.model.resource import GLOBAL, Resource, ScanError
from mamori.model.resources.s3 import ACCOUNT, BUCKET, S3Account, S3Bucket

_PAB_FLAGS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}
_NO_PAB = "NoSuchPublicAccessBlockConfiguration"
_GONE: Any = object()


@COLLECTORS.register("s3")
class S3Collector(AwsCollector):
    service = "s3"
    scope = "global"
    resource_types = (BUCKET, ACCOUNT)

    detail_workers: ClassVar[int] = 8
    """Buckets whose details are read at the same time."""

    def coverage(self, regions: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        return [(GLOBAL, (ACCOUNT,)), *((r, (BUCKET,)) for r in regions)]

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        account_pab = _account_public_access_block(ctx)
        yield ctx.resource(
            S3Account.of({
                "public_access_block": account_pab,
                "public_access_block_enabled": MISSING if account_pab is MISSING else all(account_pab.values()),
            }),
            GLOBAL,
            ctx.account,
            name=ctx.account,
        )
        listing = _list_buckets(ctx)
        if not listing:
            return
        workers = max(1, min(self.detail_workers, len(listing)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mamori-s3") as pool:
            found = list(pool.map(lambda b: _bucket(ctx, b, account_pab), listing))
        yield from (b for b in found if b is not None)


def _account_public_access_block(ctx: CollectContext) -> Any:
    client = ctx.client("s3control")
    if ctx.factory.target.endpoint_url:
        keep_endpoint_host(client, ctx.factory.target.endpoint_url)
    resp = ctx.call(
        client,
        "get_public_access_block",
        region=GLOBAL,
        resource_type=ACCOUNT,
        resource_id=ctx.account,
        absent=(_NO_PAB,),
        absent_value={},
        AccountId=ctx.account,
    )
    return MISSING if resp is MISSING else _flags(resp.get("PublicAccessBlockConfiguration") or {})


def _flags(config: dict[str, Any]) -> dict[str, bool]:
    """The four public access block settings; an absent configuration means all off."""
    return {ours: bool(config.get(theirs, False)) for theirs, ours in _PAB_FLAGS.items()}


def _list_buckets(ctx: CollectContext) -> list[dict[str, Any]]:
    try:
        return ctx.paginate(ctx.client("s3"), "list_buckets", "Buckets")
    except (ClientError, BotoCoreError) as exc:
        ctx.record(
            ScanError(
                account=ctx.account,
                region="*",
                service="s3",
                operation="ListBuckets",
                code=error_code(exc),
                message=error_message(exc),
                resource_types=(BUCKET,),
            )
        )
        return []


def _normalise_region(constraint: Any) -> str:
    """GetBucketLocation's answer as a region name (us-east-1 answers null, old Ireland buckets 'EU')."""
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


def _bucket_region(ctx: CollectContext, item: dict[str, Any]) -> Any:
    if item.get("BucketRegion"):
        return str(item["BucketRegion"])
    name = str(item["Name"])
    resp = ctx.call(
        ctx.client("s3"),
        "get_bucket_location",
        region=GLOBAL,
        resource_type=BUCKET,
        resource_id=name,
        absent=("NoSuchBucket",),
        absent_value=_GONE,
        Bucket=name,
    )
    if resp is MISSING or resp is _GONE:
        return resp
    return _normalise_region(resp.get("LocationConstraint"))


def _bucket(ctx: CollectContext, item: dict[str, Any], account_pab: Any) -> Resource | None:
    name = str(item["Name"])
    arn = f"arn:{ctx.partition}:s3:::{name}"
    region = _bucket_region(ctx, item)
    if region is _GONE:
        return None  # deleted since ListBuckets
    if region is MISSING:
        # Region unknown: keep the bucket, with nothing known about it.
        return ctx.resource(S3Bucket.of(dict.fromkeys(_DETAIL_PROPS)), GLOBAL, name, arn=arn, name=name)
    if region not in ctx.regions:
        return None
    client = ctx.client("s3", region)

    def call(operation: str, absent: tuple[str, ...] = (), absent_value: Any = None) -> Any:
        return ctx.call(
            client, operation, region=region, resource_type=BUCKET, resource_id=name,
            absent=absent, absent_value=absent_value, Bucket=name,
        )  # fmt: skip

    pab = call("get_public_access_block", (_NO_PAB,), {})
    props: dict[str, Any] = {
        "created": iso(item.get("CreationDate")) or "",
        "public_access_block": MISSING if pab is MISSING else _flags(pab.get("PublicAccessBlockConfiguration") or {}),
        "public_access_block_configured": MISSING if pab is MISSING else bool(pab),
        "account_public_access_block": account_pab,
    }
    props["public_access_block_enabled"] = (
        MISSING if pab is MISSING else all(props["public_access_block"].values())
    )
    props |= _acl(call("get_bucket_acl"))
    props |= _policy(ctx, client, name, region, call("get_bucket_policy", ("NoSuchBucketPolicy",), {}))
    props |= _encryption(call("get_bucket_encryption", ("ServerSideEncryptionConfigurationNotFoundError",), {}))
    props |= _versioning(call("get_bucket_versioning"))
    props |= _logging(call("get_bucket_logging"))
    tagging = call("get_bucket_tagging", ("NoSuchTagSet",), {})
    tags = {} if tagging is MISSING else tags_of(tagging.get("TagSet"))
    return ctx.resource(S3Bucket.of(props), region, name, arn=arn, name=name, tags=tags)


def _acl(resp: Any) -> dict[str, Any]:
    if resp is MISSING:
        return dict.fromkeys(("acl_public_grants", "acl_public_read", "acl_public_write", "acl_public"))
    grants = public_grants(list(resp.get("Grants") or []))
    return {
        "acl_public_grants": grants,
        "acl_public_read": grants_read(grants),
        "acl_public_write": grants_write(grants),
        "acl_public": bool(grants),
    }


def _policy(ctx: CollectContext, client: Any, name: str, region: str, resp: Any) -> dict[str, Any]:
    keys = ("policy", "policy_present", "policy_public", "policy_public_source", "policy_public_statements",
            "denies_insecure_transport")  # fmt: skip
    if resp is MISSING:
        return dict.fromkeys(keys)
    if not resp:
        return dict(zip(keys, ({}, False, False, "", [], False), strict=True))
    try:
        doc = json.loads(resp.get("Policy") or "{}")
    except ValueError:
        return dict.fromkeys(keys)
    doc = doc if isinstance(doc, dict) else {}
    ours = public_statements(doc)
    verdict, source = _policy_status(client, name)
    if verdict is None:
        verdict, source = bool(ours), "mamori"
    return {
        "policy": doc,
        "policy_present": True,
        "policy_public": verdict,
        "policy_public_source": source,
        "policy_public_statements": ours,
        "denies_insecure_transport": denies_insecure_transport(doc, name, ctx.partition),
    }


def _policy_status(client: Any, name: str) -> tuple[bool | None, str]:
    """AWS's own verdict on the policy; (None, "") when it cannot be had (mamori then judges)."""
    try:
        status = client.get_bucket_policy_status(Bucket=name).get("PolicyStatus") or {}
    except (ClientError, BotoCoreError):
        return None, ""
    if "IsPublic" not in status:
        return None, ""
    return bool(status["IsPublic"]), "aws"


def _encryption(resp: Any) -> dict[str, Any]:
    keys = ("default_encryption_enabled", "encryption_algorithm", "encryption_kms_key_id", "bucket_key_enabled")
    if resp is MISSING:
        return dict.fromkeys(keys)
    rules = (resp.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    default = next((r for r in rules if r.get("ApplyServerSideEncryptionByDefault")), None)
    if default is None:
        return dict(zip(keys, (False, "", "", False), strict=True))
    sse = default["ApplyServerSideEncryptionByDefault"]
    return {
        "default_encryption_enabled": True,
        "encryption_algorithm": str(sse.get("SSEAlgorithm", "")),
        "encryption_kms_key_id": str(sse.get("KMSMasterKeyID") or ""),
        "bucket_key_enabled": bool(default.get("BucketKeyEnabled", False)),
    }


def _versioning(resp: Any) -> dict[str, Any]:
    if resp is MISSING:
        return {"versioning_status": None, "mfa_delete": None}
    # A bucket that never had versioning answers without Status.
    return {"versioning_status": str(resp.get("Status") or ""), "mfa_delete": resp.get("MFADelete") == "Enabled"}


def _logging(resp: Any) -> dict[str, Any]:
    if resp is MISSING:
        return {"access_logging_enabled": None, "access_logging_target": None}
    cfg = resp.get("LoggingEnabled") or {}
    target = f"{cfg.get('TargetBucket', '')}/{cfg.get('TargetPrefix', '')}" if cfg else ""
    return {"access_logging_enabled": bool(cfg), "access_logging_target": target}


_DETAIL_PROPS = (
    "created", "public_access_block", "public_access_block_configured", "public_access_block_enabled",
    "account_public_access_block", "acl_public_grants", "acl_public_read", "acl_public_write", "acl_public",
    "policy", "policy_present", "policy_public", "policy_public_source", "policy_public_statements",
    "denies_insecure_transport", "default_encryption_enabled", "encryption_algorithm", "encryption_kms_key_id",
    "bucket_key_enabled", "versioning_status", "mfa_delete", "access_logging_enabled", "access_logging_target",
)  # fmt: skip
