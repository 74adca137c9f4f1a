"""Raw IaC resources -> the same typed Resource models the collectors build.

One mapper per (source, resource type) fills the model's properties from what the code
declares, with AWS's defaults where the code says nothing (an ``aws_s3_bucket`` without a
versioning resource is never versioned; a queue without a key uses SQS-managed SSE, as AWS
does since 2022). Split resources of the AWS provider v4+ (``aws_s3_bucket_versioning``,
``..._public_access_block``, ``..._policy``, ``aws_flow_log``, ``aws_lambda_permission``, ...)
and their CloudFormation counterparts apply to the resource they name. A property computed
from an Unknown value is ``None`` (rules read it as unknown) and the expression is kept in
``Resource.unresolved`` so the rule's UNKNOWN names it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from mamori.collect.iac.values import RawResource, Symbolic, Unknown, unknown_in
from mamori.model.resource import Resource
from mamori.model.resources import RESOURCE_TYPES

ACCOUNT = "iac"
REGION = "iac"

Props = dict[str, Any]


@dataclass
class Adapted:
    resource: Resource
    raw: RawResource


class Index:
    """All raw resources of one evaluation, to find the split resources that apply to a resource."""

    def __init__(self, raws: list[RawResource]) -> None:
        self.raws = raws
        self.by_type: dict[str, list[RawResource]] = {}
        for r in raws:
            self.by_type.setdefault(r.type, []).append(r)

    def attached(
        self, rtype: str, attr: str, target: RawResource, names: list[Any]
    ) -> tuple[list[RawResource], Unknown | None]:
        """Resources of ``rtype`` whose ``attr`` names ``target`` (by address reference or by one of
        its literal ``names``); the Unknown of one that may name it but cannot be told."""
        hits: list[RawResource] = []
        doubt: Unknown | None = None
        for r in self.by_type.get(rtype, []):
            vals = r.attrs.get(attr)
            for v in vals if isinstance(vals, list) else [vals]:
                if v is None and attr in r.refs:
                    v = Symbolic("${" + r.refs[attr] + "}")
                if isinstance(v, Unknown):
                    ref = r.refs.get(attr)
                    if ref and refers(Symbolic("${" + ref + "}"), target, names):
                        hits.append(r)
                    elif not ref:
                        doubt = doubt or Unknown(
                            f"{r.address}.{attr} = {v.expr} (cannot tell which resource it applies to)"
                        )
                    break
                if refers(v, target, names):
                    hits.append(r)
                    break
        return hits, doubt


def refers(v: Any, target: RawResource, names: list[Any]) -> bool:
    if not isinstance(v, str):
        return False
    if v in [n for n in names if isinstance(n, str) and n]:
        return True
    if v.startswith("${"):
        inner = v[2:].split("}", 1)[0]
        addr = target.address
        return inner == addr or inner.startswith(addr + ".") or inner.startswith(addr + "[")
    if target.source != "cloudformation" and ":" in v:  # an ARN naming it
        return any(isinstance(n, str) and n and (v.endswith(":" + n) or v.endswith("/" + n)) for n in names)
    return False


def account_of(root: str) -> str:
    """The Resource ``account`` of an IaC root (its path, ARN-safe): addresses are unique per root."""
    return (root or ACCOUNT).replace(":", "_")


def declared_key_arn(idx: Index, value: Any, key_type: str) -> Any:
    """A KMS key reference to a key declared in the code, as the ARN of that key's IaC resource
    (``arn:aws:kms:iac:iac:key/<address>``) so a rule can look the key up; other values unchanged."""
    for k in idx.by_type.get(key_type, []):
        if refers(value, k, []):
            return f"arn:aws:kms:{REGION}:{account_of(k.root)}:key/{k.address}"
    return value


def declared_address(idx: Index, value: Any, rtype: str, name_attr: str) -> Any:
    """A bucket (or other) name that a resource declared in the code has: that resource's address
    (IaC resources are identified by address); other values unchanged."""
    for b in idx.by_type.get(rtype, []):
        if refers(value, b, [b.attrs.get(name_attr)]):
            return b.address
    return value


# -- value helpers -------------------------------------------------------------------------


def first(v: Any) -> Any:
    """A Terraform nested block (a list of one dict) or a plain dict, as the dict; {} when absent."""
    if isinstance(v, list):
        return v[0] if v and isinstance(v[0], dict) else ({} if not v else v[0])
    return v if isinstance(v, (dict, Unknown)) else {}


def blocks(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def boolean(v: Any, default: Any = None) -> Any:
    if v is None:
        return default
    if isinstance(v, (bool, Unknown)):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return Unknown(f"{v!r} (not a boolean)")


def integer(v: Any, default: Any = None) -> Any:
    if v is None:
        return default
    if isinstance(v, Unknown) or (isinstance(v, int) and not isinstance(v, bool)):
        return v
    try:
        return int(str(v))
    except ValueError:
        return Unknown(f"{v!r} (not a number)")


def text(v: Any, default: Any = None) -> Any:
    if v is None:
        return default
    if isinstance(v, Unknown):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def derive(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, or the first Unknown among the args."""
    for a in args:
        u = unknown_in(a)
        if u is not None:
            return u
    return fn(*args)


def doc(v: Any) -> Any:
    """A policy document from a dict or JSON text (Unknown stays Unknown)."""
    if v is None or isinstance(v, Unknown):
        return v
    u = unknown_in(v)
    if u is not None:
        return u
    if isinstance(v, dict):
        return v
    try:
        d = json.loads(str(v))
    except ValueError:
        return Unknown(f"{str(v)[:60]} (not a JSON policy)")
    return d if isinstance(d, dict) else Unknown("policy is not a JSON object")


# -- the registry -----------------------------------------------------------------------------

Mapper = Callable[[RawResource, Index], tuple[str, Props]]


def _type_of(fn: Mapper, r: RawResource) -> str:
    """The typed resource type a mapper produces (asked with no attributes: every mapper takes that)."""
    return fn(RawResource(r.source, r.type, r.address, r.file, r.line, {}, root=r.root), Index([]))[0]
MAPPERS: dict[tuple[str, str], Mapper] = {}
"""(source family "terraform" | "cloudformation", source type) -> mapper."""


def maps(family: str, *types: str) -> Callable[[Mapper], Mapper]:
    def deco(fn: Mapper) -> Mapper:
        for t in types:
            MAPPERS[(family, t)] = fn
        return fn

    return deco


EXTRA: dict[tuple[str, str], list[Mapper]] = {}
"""Mappers of a second typed resource for one source resource (a role that attaches a policy is
also an account-wide fact: ``aws.iam.account``'s ``cloudshell_full_access``)."""


def also(family_: str, *types: str) -> Callable[[Mapper], Mapper]:
    def deco(fn: Mapper) -> Mapper:
        for t in types:
            EXTRA.setdefault((family_, t), []).append(fn)
        return fn

    return deco


def family(source: str) -> str:
    return "cloudformation" if source == "cloudformation" else "terraform"


def adapt(raws: list[RawResource]) -> list[Adapted]:
    """Every raw resource with a mapper, as a typed Resource (id = its address)."""
    from mamori.collect.iac import mappers_cfn, mappers_net, mappers_tf  # noqa: F401  (registers the mappers)

    groups: dict[str, list[RawResource]] = {}
    for r in raws:
        groups.setdefault(r.root, []).append(r)
    indexes = {root: Index(rs) for root, rs in groups.items()}
    out: list[Adapted] = []
    for r in raws:
        idx = indexes[r.root]
        fns = [f for f in [MAPPERS.get((family(r.source), r.type))] if f] + EXTRA.get((family(r.source), r.type), [])
        for fn in fns:
            try:
                rtype, props = fn(r, idx)
            except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
                # a shape the mapper does not expect (`ingress = 5`): every property unknown, named
                rtype = _type_of(fn, r)
                res = _resource(r, rtype, {})
                res = Resource(res.provider, res.account, res.region, res.type, res.id, res.arn, res.name, res.tags, {},
                               {"*": f"{r.type} {r.address} could not be read: {type(exc).__name__}: {exc}"})  # fmt: skip
                out.append(Adapted(res, r))
                continue
            out.append(Adapted(_resource(r, rtype, props), r))
    return out


def _resource(r: RawResource, rtype: str, props: Props) -> Resource:
    unresolved: dict[str, str] = {}
    clean: dict[str, Any] = {}
    model = RESOURCE_TYPES.get(rtype)
    for k, v in props.items():
        if k not in model.model_fields:
            continue
        u = unknown_in(v)
        if u is not None:
            unresolved[k] = u.expr
            clean[k] = None
        else:
            clean[k] = _plain(v)
    try:
        model.of(clean)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0])
            unresolved[key] = f"{key}: {err['msg']} ({str(clean.get(key))[:60]})"
            clean[key] = None
    raw_tags: Any = (r.attrs.get("tags") if r.source != "cloudformation"
                     else {t.get("Key"): t.get("Value") for t in r.attrs.get("Tags") or [] if isinstance(t, dict)})  # fmt: skip
    tags: dict[str, str] = {str(k): str(v) for k, v in raw_tags.items() if not isinstance(v, Unknown)} if isinstance(raw_tags, dict) else {}
    return Resource(provider="aws", account=account_of(r.root), region=REGION, type=rtype, id=r.address, arn="", name=r.address,
                    tags=tags, properties=clean, unresolved=unresolved)  # fmt: skip


def _plain(v: Any) -> Any:
    if isinstance(v, Symbolic):
        return str(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v
