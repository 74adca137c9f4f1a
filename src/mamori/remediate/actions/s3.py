"""S3: block public access (bucket and account), remove public ACL grants and public policy statements.

Every S3 action saves the bucket's (or account's) prior configuration, so rollback puts
back exactly what was there: the four public access block flags (or no configuration at
all), the full ACL, the policy document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from mamori.collect.aws.services.s3_policy import ALL_USERS, AUTHENTICATED_USERS, public_statements
from mamori.model.resources.s3 import ACCOUNT, BUCKET
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.actions._util import or_absent, strip_meta
from mamori.remediate.model import ApiCall, Proposal, Target

_NO_PAB = ("NoSuchPublicAccessBlockConfiguration",)
_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


class BlockParams(BaseModel):
    """Which flags to turn on (flags already on are never turned off)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    block_public_acls: bool = True
    ignore_public_acls: bool = True
    block_public_policy: bool = True
    restrict_public_buckets: bool = True

    def wanted(self) -> dict[str, bool]:
        return dict(zip(_FLAGS, (self.block_public_acls, self.ignore_public_acls, self.block_public_policy, self.restrict_public_buckets), strict=True))


def _pab_state(resp: Any) -> dict[str, Any]:
    if resp is None:
        return {"configured": False, "config": dict.fromkeys(_FLAGS, False)}
    cfg = resp.get("PublicAccessBlockConfiguration") or {}
    return {"configured": True, "config": {f: bool(cfg.get(f, False)) for f in _FLAGS}}


def _pab_proposal(state: Mapping[str, Any], params: BlockParams, what: str) -> tuple[dict[str, Any], str]:
    current = dict(state["config"])
    desired = {f: current[f] or want for f, want in params.wanted().items()}
    return {"configured": True, "config": desired}, f"{what}: turn on {', '.join(f for f in _FLAGS if desired[f] and not current[f])}"


@register
class S3BucketBlockPublicAccess(Action):
    name = "s3_bucket_block_public_access"
    title = "Turn on the bucket's S3 Block Public Access settings"
    resource_type = BUCKET
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"s3_bucket_public_access_block_off": {}}
    permissions = ("s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock")
    Params = BlockParams

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        s3 = ctx.client("s3", target.region)
        return _pab_state(or_absent(lambda: s3.get_public_access_block(Bucket=target.resource_id), _NO_PAB))

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        after, summary = _pab_proposal(state, params, f"bucket {target.resource_id}")
        if after == dict(state):
            return Proposal(state, state, summary="block public access is already on")
        call = self.call("s3", "PutPublicAccessBlock", target.region, "s3:PutBucketPublicAccessBlock",
                         Bucket=target.resource_id, PublicAccessBlockConfiguration=after["config"])  # fmt: skip
        return Proposal(state, after, (call,), summary)

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if not prior.get("configured"):
            return [self.call("s3", "DeletePublicAccessBlock", target.region, "s3:PutBucketPublicAccessBlock", Bucket=target.resource_id)]
        return [self.call("s3", "PutPublicAccessBlock", target.region, "s3:PutBucketPublicAccessBlock",
                          Bucket=target.resource_id, PublicAccessBlockConfiguration=dict(prior["config"]))]  # fmt: skip


@register
class S3AccountBlockPublicAccess(Action):
    name = "s3_account_block_public_access"
    title = "Turn on S3 Block Public Access for the whole account"
    resource_type = ACCOUNT
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"s3_account_public_access_block_off": {}}
    permissions = ("s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock")
    Params = BlockParams

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        client = ctx.client("s3control", target.region)
        return _pab_state(or_absent(lambda: client.get_public_access_block(AccountId=target.account), _NO_PAB))

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        after, summary = _pab_proposal(state, params, f"account {target.account}")
        if after == dict(state):
            return Proposal(state, state, summary="account-level block public access is already on")
        call = self.call("s3control", "PutPublicAccessBlock", target.region, "s3:PutAccountPublicAccessBlock",
                         AccountId=target.account, PublicAccessBlockConfiguration=after["config"])  # fmt: skip
        return Proposal(state, after, (call,), summary)

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if not prior.get("configured"):
            return [self.call("s3control", "DeletePublicAccessBlock", target.region, "s3:PutAccountPublicAccessBlock", AccountId=target.account)]
        return [self.call("s3control", "PutPublicAccessBlock", target.region, "s3:PutAccountPublicAccessBlock",
                          AccountId=target.account, PublicAccessBlockConfiguration=dict(prior["config"]))]  # fmt: skip


_PUBLIC_URIS = {ALL_USERS, AUTHENTICATED_USERS}


def _grant_is_public(grant: Mapping[str, Any]) -> bool:
    return str((grant.get("Grantee") or {}).get("URI") or "") in _PUBLIC_URIS


@register
class S3BucketRemovePublicAcl(Action):
    name = "s3_bucket_remove_public_acl_grants"
    title = "Remove ACL grants to AllUsers / AuthenticatedUsers from the bucket"
    resource_type = BUCKET
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"s3_bucket_public_via_acl": {}}
    permissions = ("s3:GetBucketAcl", "s3:PutBucketAcl")

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        resp = strip_meta(ctx.client("s3", target.region).get_bucket_acl(Bucket=target.resource_id))
        return {"owner": resp.get("Owner") or {}, "grants": list(resp.get("Grants") or [])}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        grants = list(state["grants"])
        keep = [g for g in grants if not _grant_is_public(g)]
        if len(keep) == len(grants):
            return Proposal(state, state, summary="no public ACL grants")
        removed = [f"{str(g['Grantee'].get('URI', '')).rsplit('/', 1)[-1]}:{g.get('Permission')}" for g in grants if _grant_is_public(g)]
        after = {"owner": state["owner"], "grants": keep}
        call = self.call("s3", "PutBucketAcl", target.region, "s3:PutBucketAcl",
                         Bucket=target.resource_id, AccessControlPolicy={"Owner": state["owner"], "Grants": keep})  # fmt: skip
        return Proposal(state, after, (call,), f"remove ACL grants {', '.join(removed)}")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        return [self.call("s3", "PutBucketAcl", target.region, "s3:PutBucketAcl",
                          Bucket=target.resource_id, AccessControlPolicy={"Owner": prior["owner"], "Grants": list(prior["grants"])})]  # fmt: skip


@register
class S3BucketRemovePublicPolicy(Action):
    name = "s3_bucket_remove_public_policy_statements"
    title = "Remove bucket policy statements that allow anyone (wildcard principal, no restricting condition)"
    resource_type = BUCKET
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"s3_bucket_public_via_policy": {}}
    permissions = ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy")

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        s3 = ctx.client("s3", target.region)
        resp = or_absent(lambda: s3.get_bucket_policy(Bucket=target.resource_id), ("NoSuchBucketPolicy",))
        return {"policy": None if resp is None else json.loads(resp.get("Policy") or "{}")}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        doc = state.get("policy")
        if not doc:
            return Proposal(state, state, summary="no bucket policy")
        public = public_statements(doc)
        if not public:
            return Proposal(state, state, summary="no public policy statements")
        drop = {p["index"] for p in public}
        stmts = doc.get("Statement")
        stmts = stmts if isinstance(stmts, list) else [stmts]
        keep = [s for i, s in enumerate(stmts) if i not in drop]
        names = ", ".join(p["sid"] or f"#{p['index']}" for p in public)
        if not keep:
            call = self.call("s3", "DeleteBucketPolicy", target.region, "s3:DeleteBucketPolicy", Bucket=target.resource_id)
            return Proposal(state, {"policy": None}, (call,), f"delete the policy (its only statements are public: {names})")
        new = {**doc, "Statement": keep}
        call = self.call("s3", "PutBucketPolicy", target.region, "s3:PutBucketPolicy", Bucket=target.resource_id, Policy=json.dumps(new))
        return Proposal(state, {"policy": new}, (call,), f"remove public statements {names}; keep {len(keep)}")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if not prior.get("policy"):
            return [self.call("s3", "DeleteBucketPolicy", target.region, "s3:DeleteBucketPolicy", Bucket=target.resource_id)]
        return [self.call("s3", "PutBucketPolicy", target.region, "s3:PutBucketPolicy", Bucket=target.resource_id, Policy=json.dumps(prior["policy"]))]
