"""The Action interface and the ``ACTIONS`` registry.

An action fixes one resource type. It declares

* ``rules``: the rule ids it is bound to (with parameter defaults per rule): open findings
  of those rules are what ``mamori remediate plan`` plans for;
* ``Params``: a pydantic model of its parameters (validated; config may override them);
* ``permissions``: every IAM action its reads, changes and rollbacks need (``mamori
  guardrails permissions`` turns them into the least-privilege policy of the role);

and implements

* ``read(ctx, target, params)``: the live configuration (read-only calls, nothing else);
* ``propose(target, state, params)``: pure; the API calls that would make it compliant
  (none = already compliant), the state before and after;
* ``rollback_calls(target, prior, current, params)``: the calls that restore ``prior``
  (or raise :class:`NotReversibleError`).

``plan`` = ``propose(read())``; ``apply`` executes exactly the proposed calls;
``verify`` = a fresh ``plan`` proposes nothing; ``restored`` = a fresh read equals the
prior state. The executor (:mod:`mamori.remediate.apply`) drives these.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from mamori.model.resource import GLOBAL
from mamori.registry import Registry
from mamori.remediate.errors import ActionParamsError, NotReversibleError
from mamori.remediate.model import ApiCall, Proposal, Target

if TYPE_CHECKING:  # boto3 is imported only to make calls: planning (events replay) does not need it
    from mamori.collect.aws.session import ClientFactory


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionContext:
    """Clients for one account (region ``global`` = the home region)."""

    def __init__(self, factory: ClientFactory, account: str) -> None:
        self.factory = factory
        self.account = account

    def client(self, service: str, region: str) -> Any:
        client = self.factory.client(service, self.region(region))
        endpoint = self.factory.target.endpoint_url
        if service == "s3control" and endpoint:
            from mamori.collect.aws.services.s3 import keep_endpoint_host

            keep_endpoint_host(client, endpoint)  # S3 Control would put the account id in the host name
        return client

    def region(self, region: str) -> str:
        return self.factory.target.home_region if region in ("", GLOBAL) else region

    def execute(self, call: ApiCall) -> Any:
        """Make one planned call, exactly as planned."""
        from botocore import xform_name

        return getattr(self.client(call.service, call.region), xform_name(call.operation))(**dict(call.params))


class Action:
    """Base class of remediation actions (subclass, then register an instance in ``ACTIONS``)."""

    name: ClassVar[str]
    title: ClassVar[str]
    resource_type: ClassVar[str]
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    permissions: ClassVar[tuple[str, ...]]
    extra_statements: ClassVar[tuple[Mapping[str, Any], ...]] = ()
    """IAM statements beyond ``Action: permissions, Resource: *`` (e.g. conditioned ones)."""
    reversible: ClassVar[bool] = True
    irreversible_reason: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = NoParams
    from_rule_params: ClassVar[Mapping[str, str]] = {}
    """Parameters taken from the bound rule's parameters (ours -> the rule's), so the fix
    covers what the rule checks (e.g. the rule's ``admin_ports``)."""

    # -- parameters ---------------------------------------------------------------

    def params(
        self, rule_id: str = "", overrides: Mapping[str, Any] | None = None, *,
        rule_params: Mapping[str, Any] | None = None, where: str = "",
    ) -> BaseModel:  # fmt: skip
        """Defaults <- the binding's defaults for ``rule_id`` <- the rule's parameters <- ``overrides`` (config)."""
        data = dict(self.rules.get(rule_id, {}))
        for ours, theirs in self.from_rule_params.items():
            if rule_params and theirs in rule_params:
                data[ours] = rule_params[theirs]
        data.update(overrides or {})
        try:
            return self.Params.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise ActionParamsError(
                f"action {self.name}: {err['msg']}" + (f" ({loc})" if loc else ""),
                source="mamori.yaml" if where else None, where=where or None,
            ) from exc

    # -- the interface ------------------------------------------------------------

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        raise NotImplementedError

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        raise NotImplementedError

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        raise NotReversibleError(self.irreversible_reason or f"{self.name} cannot be undone")

    # -- derived ------------------------------------------------------------------

    def plan(self, ctx: ActionContext, target: Target, params: Any) -> Proposal:
        return self.propose(target, self.read(ctx, target, params), params)

    def apply(self, ctx: ActionContext, proposal: Proposal, on_call: Callable[[int], None] | None = None) -> None:
        """Execute the proposal's calls in order; ``on_call(n)`` after the n-th succeeded. Raises on failure."""
        for n, call in enumerate(proposal.calls, 1):
            ctx.execute(call)
            if on_call:
                on_call(n)

    def verify(self, ctx: ActionContext, target: Target, params: Any) -> bool:
        """The live resource is compliant now (a fresh plan proposes nothing)."""
        return self.plan(ctx, target, params).noop

    def restored(self, ctx: ActionContext, target: Target, prior: Mapping[str, Any], params: Any) -> bool:
        """The live configuration equals the prior one again."""
        return canonical(self.read(ctx, target, params)) == canonical(prior)

    def call(self, service: str, operation: str, region: str, permission: str, **params: Any) -> ApiCall:
        return ApiCall(service, operation, region, params, permission)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "resource_type": self.resource_type,
            "rules": sorted(self.rules),
            "permissions": sorted(self.permissions),
            "reversible": self.reversible,
            "parameters": self.Params.model_json_schema().get("properties", {}),
        }


def canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        items = [canonical(v) for v in value]
        return sorted(items, key=repr)
    return value


ACTIONS: Registry[Action] = Registry("remediation action")

_loaded = False
_lock = threading.Lock()


def load_actions() -> Registry[Action]:
    """Import every module of ``mamori.remediate.actions`` so that it registers."""
    global _loaded
    with _lock:
        if not _loaded:
            from mamori.remediate import actions

            for mod in pkgutil.iter_modules(actions.__path__):
                importlib.import_module(f"{actions.__name__}.{mod.name}")
            _loaded = True
    return ACTIONS


def bindings() -> dict[str, Action]:
    """Rule id -> the action bound to it (a rule has at most one)."""
    out: dict[str, Action] = {}
    for action in load_actions().values():
        for rule_id in action.rules:
            if rule_id in out:
                raise ValueError(f"rule {rule_id!r} is bound to both {out[rule_id].name} and {action.name}")
            out[rule_id] = action
    return out


def register(cls: type[Action]) -> type[Action]:
    """Class decorator: register one instance under ``cls.name``."""
    ACTIONS.add(cls.name, cls())
    return cls
