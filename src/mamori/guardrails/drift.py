"""Drift: the organization now, compared with what mamori last deployed there.

Reported, each with what was expected and what is there: an SCP deleted, edited (its
content no longer what mamori deployed) or detached from a target; the StackSet deleted
or its template changed; a stack instance missing or not CURRENT (or drifted, where
CloudFormation's drift detection has run); an EventBridge rule of a member account
deleted or disabled (read through ``member_role``). A member account mamori cannot read is
reported as ``unreadable``, not as drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from mamori.guardrails import detective, state
from mamori.guardrails.deploy import STACKSET_MISSING, parse_body, targets_of
from mamori.guardrails.org import ClientFactory, GuardrailsError, MemberFactory, Org, missing, pages


@dataclass(frozen=True)
class Drift:
    kind: str
    name: str
    problem: str  # deleted | edited | detached | missing | outdated | drifted | disabled | unreadable
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "problem": self.problem, "detail": self.detail}


@dataclass
class DriftReport:
    organization_id: str
    deployed: int
    drifts: list[Drift]

    @property
    def drifted(self) -> bool:
        return any(d.problem != "unreadable" for d in self.drifts)

    def to_dict(self) -> dict[str, Any]:
        return {"organization_id": self.organization_id, "deployed_items": self.deployed, "drifted": self.drifted,
                "drifts": [d.to_dict() for d in self.drifts]}  # fmt: skip


def check(client: ClientFactory, member: MemberFactory, engine: Engine, home: str) -> DriftReport:
    info = Org.read(client, home)
    items = state.load(engine, info.id)
    org = client("organizations", home)
    cfn = client("cloudformation", home)
    out: list[Drift] = []
    instances: dict[str, dict[str, Any]] | None = None
    gone: set[str] = set()  # instances missing: their rules went with them, reported once
    for it in items:
        if it.kind == "scp":
            got = missing(f"describe SCP {it.name}", org.describe_policy, ("PolicyNotFoundException",), PolicyId=it.ref)
            if got is None:
                out.append(Drift("scp", it.name, "deleted", f"policy {it.ref} no longer exists"))
                continue
            if state.digest(json.dumps(parse_body(got["Policy"]["Content"]), sort_keys=True)) != it.content_hash:
                out.append(Drift("scp", it.name, "edited", f"policy {it.ref}: content differs from what mamori deployed"))
            now = targets_of(org, it.ref)
            for tgt in it.details.get("targets", []):
                if tgt not in now:
                    out.append(Drift("scp", it.name, "detached", f"no longer attached to {tgt}"))
        elif it.kind == "stackset":
            found = missing(f"describe stack set {it.name}", cfn.describe_stack_set, STACKSET_MISSING, StackSetName=it.name)
            if found is None:
                out.append(Drift("stackset", it.name, "deleted", "the stack set no longer exists"))
                instances = {}
                continue
            ss = found["StackSet"]
            if state.digest(json.dumps(parse_body(ss.get("TemplateBody")), sort_keys=True)) != it.content_hash:
                out.append(Drift("stackset", it.name, "edited", "template differs from what mamori deployed"))
            instances = {f"{i['Account']}/{i['Region']}": i for i in pages(
                "list stack instances", cfn, "list_stack_instances", "Summaries", StackSetName=it.name)}
        elif it.kind == "stack_instance":
            if instances is None:
                instances = {}
            live = instances.get(it.name)
            if live is None:
                gone.add(it.name)
                out.append(Drift("stack_instance", it.name, "missing", f"no instance of {detective.STACKSET_NAME} in {it.name}"))
            elif live.get("Status") != "CURRENT":
                out.append(Drift("stack_instance", it.name, "outdated", f"status {live.get('Status')}: {live.get('StatusReason', '')}"))
            elif live.get("DriftStatus") == "DRIFTED":
                out.append(Drift("stack_instance", it.name, "drifted", "CloudFormation drift detection found changed resources"))
        elif it.kind == "rules" and it.name not in gone:
            out += _rules(member, it)
        elif it.kind == "central_stack":
            desc = missing(f"describe stack {it.name}", cfn.describe_stacks, (), "does not exist", StackName=it.name)
            stacks = desc["Stacks"] if desc else []
            if not [s for s in stacks if s.get("StackStatus") != "DELETE_COMPLETE"]:
                out.append(Drift("central_stack", it.name, "deleted", f"the central stack is gone from {it.ref}"))
    return DriftReport(info.id, len(items), out)


def _rules(member: MemberFactory, it: state.Deployed) -> list[Drift]:
    account, region = it.details["account"], it.details["region"]
    try:
        ev = member(account, "events", region)
        live = {r["Name"]: r for r in pages(f"list rules in {it.name}", ev, "list_rules", "Rules", NamePrefix=detective.RULE_PREFIX)}
    except GuardrailsError as exc:
        return [Drift("rules", it.name, "unreadable", str(exc))]
    out: list[Drift] = []
    for name in it.details.get("names", []):
        if name not in live:
            out.append(Drift("rule", f"{it.name}/{name}", "deleted", "the EventBridge rule no longer exists"))
        elif live[name].get("State") != "ENABLED":
            out.append(Drift("rule", f"{it.name}/{name}", "disabled", f"state {live[name].get('State')}"))
    return out

