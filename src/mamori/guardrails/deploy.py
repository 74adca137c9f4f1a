"""Deploy the guardrails into an organization: plan (reads only), then apply (recorded).

The plan lists every change and where it goes: enabling the SCP policy type on the root,
creating or updating each SCP and attaching it to the target, the central stack (bus and
queue) in the management account, the StackSet and its instances in every account and
Region under the target. Items already as generated are listed as ``unchanged``, so a
second deploy plans nothing. Applying makes the changes in that order, records each one
in the audit log, then stores what is deployed (``guardrail_deployments``) for `drift`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from mamori.audit.log import record
from mamori.guardrails import detective, state
from mamori.guardrails.org import SCP_TYPE, ClientFactory, Org, call, missing, pages
from mamori.guardrails.policies import Scp, ScpOptions, generate

CREATE, UPDATE, ATTACH, ENABLE, UNCHANGED = "create", "update", "attach", "enable", "unchanged"
STACKSET_MISSING = ("StackSetNotFoundException", "StackSetNotFound")
STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
"""Trusted access for service-managed StackSets (what Terraform's ``aws_service_access_principals`` sets)."""


@dataclass(frozen=True)
class DeployRequest:
    options: ScpOptions = field(default_factory=ScpOptions)
    target: str | None = None  # root or OU id; default: the root
    regions: tuple[str, ...] = ()  # StackSet Regions; default: allowed Regions, else the central Region
    central_region: str = "us-east-1"
    config_recorder: bool = False
    config_bucket: str = ""


@dataclass(frozen=True)
class Change:
    kind: str  # policy_type | scp | attachment | central_stack | stackset | stack_instances
    op: str
    name: str
    where: str
    detail: str = ""
    payload: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "op": self.op, "name": self.name, "where": self.where, "detail": self.detail}


@dataclass
class Plan:
    organization_id: str
    management_account: str
    target: str
    regions: tuple[str, ...]
    accounts: list[str]
    changes: list[Change]
    scps: list[Scp]
    impact: dict[str, Any] | None = None

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.op != UNCHANGED]

    def to_dict(self) -> dict[str, Any]:
        out = {
            "organization_id": self.organization_id,
            "management_account": self.management_account,
            "target": self.target,
            "regions": list(self.regions),
            "accounts": self.accounts,
            "changes": [c.to_dict() for c in self.changes],
            "pending": len(self.pending),
        }
        if self.impact is not None:
            out["impact"] = self.impact
        return out


def parse_body(body: Any) -> Any:
    if isinstance(body, str):
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            return body
    return body


def _scp_by_name(org: Any) -> dict[str, dict[str, Any]]:
    return {p["Name"]: p for p in pages("list SCPs", org, "list_policies", "Policies", Filter=SCP_TYPE)}


def targets_of(org: Any, policy_id: str) -> set[str]:
    return {t["TargetId"] for t in pages("list an SCP's targets", org, "list_targets_for_policy", "Targets", PolicyId=policy_id)}


def _stack_params(params: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(params.items())]


def plan(client: ClientFactory, req: DeployRequest) -> Plan:
    """What deploying would change (reads only)."""
    home = req.central_region
    info = Org.read(client, home)
    org = client("organizations", home)
    target = req.target or info.root_id
    regions = req.regions or req.options.allowed_regions or (home,)
    changes: list[Change] = []
    root_where = f"root {info.root_id}"
    if not info.scp_enabled:
        changes.append(Change("policy_type", ENABLE, SCP_TYPE, root_where, "enable SCPs in the organization"))
    else:
        changes.append(Change("policy_type", UNCHANGED, SCP_TYPE, root_where))
    access = {a.get("ServicePrincipal") for a in pages("list trusted services", org, "list_aws_service_access_for_organization",
                                                       "EnabledServicePrincipals")}  # fmt: skip
    changes.append(Change("trusted_access", UNCHANGED if STACKSETS_PRINCIPAL in access else ENABLE, STACKSETS_PRINCIPAL,
                          "organization", "" if STACKSETS_PRINCIPAL in access else "service-managed StackSets need it"))  # fmt: skip
    scps = generate(req.options)
    live = _scp_by_name(org)
    for scp in scps:
        have = live.get(scp.name)
        if have is None:
            changes.append(Change("scp", CREATE, scp.name, "organization", f"{len(scp.content)} chars: {scp.description}"))
            changes.append(Change("attachment", ATTACH, scp.name, target))
            continue
        desc = call(f"describe SCP {scp.name}", org.describe_policy, PolicyId=have["Id"])["Policy"]
        same = parse_body(desc.get("Content")) == scp.document and desc["PolicySummary"].get("Description") == scp.description
        changes.append(Change("scp", UNCHANGED if same else UPDATE, scp.name, "organization",
                              "" if same else "content or description differs", {"id": have["Id"]}))  # fmt: skip
        attached = target in targets_of(org, have["Id"])
        changes.append(Change("attachment", UNCHANGED if attached else ATTACH, scp.name, target, "", {"id": have["Id"]}))

    rules = detective.default_rules()
    cfn = client("cloudformation", home)
    central_body = detective.dumps(detective.central_template(rules))
    central_params = {"OrganizationId": info.id}
    where = f"{info.management_account}/{home}"
    got = missing(f"describe stack {detective.CENTRAL_STACK}", cfn.describe_stacks, (), "does not exist",
                  StackName=detective.CENTRAL_STACK)  # fmt: skip
    stacks = got["Stacks"] if got else []
    live_stacks = [s for s in stacks if s.get("StackStatus") != "DELETE_COMPLETE"]
    if not live_stacks:
        changes.append(Change("central_stack", CREATE, detective.CENTRAL_STACK, where, "event bus + SQS queue + rules",
                              {"body": central_body, "params": central_params}))  # fmt: skip
    else:
        body = call("get the central stack's template", cfn.get_template, StackName=detective.CENTRAL_STACK)["TemplateBody"]
        params = {p["ParameterKey"]: p["ParameterValue"] for p in live_stacks[0].get("Parameters", [])}
        same = parse_body(body) == json.loads(central_body) and params == central_params
        changes.append(Change("central_stack", UNCHANGED if same else UPDATE, detective.CENTRAL_STACK, where, "",
                              {"body": central_body, "params": central_params}))  # fmt: skip

    member_body = detective.dumps(detective.member_template(rules))
    member_params = {
        "CentralBusArn": f"arn:aws:events:{home}:{info.management_account}:event-bus/{detective.BUS_NAME}",
        "EnableConfigRecorder": "true" if req.config_recorder else "false",
        "ConfigBucket": req.config_bucket,
    }
    payload = {"body": member_body, "params": member_params}
    got = missing(f"describe stack set {detective.STACKSET_NAME}", cfn.describe_stack_set, STACKSET_MISSING,
                  StackSetName=detective.STACKSET_NAME)  # fmt: skip
    ss = got["StackSet"] if got else None
    n_rules = len(rules)
    if ss is None:
        changes.append(Change("stackset", CREATE, detective.STACKSET_NAME, where,
                              f"service-managed, auto-deployment; {n_rules} EventBridge rules", payload))  # fmt: skip
        live_instances: set[tuple[str, str]] = set()
    else:
        params = {p["ParameterKey"]: p["ParameterValue"] for p in ss.get("Parameters", [])}
        same = parse_body(ss.get("TemplateBody")) == json.loads(member_body) and params == member_params
        changes.append(Change("stackset", UNCHANGED if same else UPDATE, detective.STACKSET_NAME, where,
                              "" if same else "template or parameters differ", payload))  # fmt: skip
        live_instances = {(i["Account"], i["Region"]) for i in pages(
            "list stack instances", cfn, "list_stack_instances", "Summaries", StackSetName=detective.STACKSET_NAME)}
    accounts = info.accounts_under(org, target)
    missing_regions = sorted({r for a in accounts for r in regions if (a, r) not in live_instances})
    if missing_regions or not accounts:
        n = sum(1 for a in accounts for r in regions if (a, r) not in live_instances)
        changes.append(Change("stack_instances", CREATE if accounts else UNCHANGED, detective.STACKSET_NAME,
                              f"{target} x {','.join(missing_regions or regions)}",
                              f"{n} stack instances ({len(accounts)} accounts)", {"regions": missing_regions}))  # fmt: skip
    else:
        changes.append(Change("stack_instances", UNCHANGED, detective.STACKSET_NAME, f"{target} x {','.join(regions)}",
                              f"{len(accounts) * len(regions)} stack instances"))  # fmt: skip
    return Plan(info.id, info.management_account, target, tuple(regions), accounts, changes, scps)


def apply(client: ClientFactory, req: DeployRequest, p: Plan, engine: Engine, actor: str) -> list[Change]:
    """Make the plan's pending changes in order, each audited; then record what is deployed."""
    home = req.central_region
    org = client("organizations", home)
    cfn = client("cloudformation", home)
    by_name = {s.name: s for s in p.scps}
    ids: dict[str, str] = {c.name: c.payload["id"] for c in p.changes if c.kind == "scp" and "id" in c.payload}
    info = Org.read(client, home)
    done: list[Change] = []
    for c in p.pending:
        details: dict[str, Any] = {"organization": p.organization_id, "where": c.where, "op": c.op}
        if c.kind == "policy_type":
            call("enable SCPs", org.enable_policy_type, RootId=info.root_id, PolicyType=SCP_TYPE)
        elif c.kind == "trusted_access":
            call("enable trusted access for StackSets", org.enable_aws_service_access, ServicePrincipal=STACKSETS_PRINCIPAL)
        elif c.kind == "scp":
            scp = by_name[c.name]
            if c.op == CREATE:
                ids[c.name] = call(f"create SCP {c.name}", org.create_policy, Name=scp.name, Description=scp.description,
                                   Type=SCP_TYPE, Content=scp.content)["Policy"]["PolicySummary"]["Id"]  # fmt: skip
            else:
                call(f"update SCP {c.name}", org.update_policy, PolicyId=ids[c.name], Description=scp.description,
                     Content=scp.content)  # fmt: skip
            details |= {"policy_id": ids[c.name], "chars": len(scp.content), "sha256": state.digest(scp.content)}
        elif c.kind == "attachment":
            call(f"attach SCP {c.name} to {c.where}", org.attach_policy, PolicyId=ids[c.name], TargetId=c.where)
            details["policy_id"] = ids[c.name]
        elif c.kind == "central_stack":
            args = {"StackName": c.name, "TemplateBody": c.payload["body"], "Parameters": _stack_params(c.payload["params"]),
                    "Capabilities": ["CAPABILITY_NAMED_IAM"]}  # fmt: skip
            call(f"{c.op} stack {c.name}", cfn.create_stack if c.op == CREATE else cfn.update_stack, **args)
        elif c.kind == "stackset":
            args = {"StackSetName": c.name, "TemplateBody": c.payload["body"], "Parameters": _stack_params(c.payload["params"]),
                    "Capabilities": ["CAPABILITY_NAMED_IAM"], "PermissionModel": "SERVICE_MANAGED",
                    "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
                    "Description": "mamori detective guardrails (EventBridge rules to the central bus)"}  # fmt: skip
            if c.op == CREATE:
                call(f"create stack set {c.name}", cfn.create_stack_set, **args)
            else:
                call(f"update stack set {c.name}", cfn.update_stack_set, **args)
            details["template_sha256"] = state.digest(c.payload["body"])
        elif c.kind == "stack_instances":
            call(f"create stack instances of {c.name}", cfn.create_stack_instances, StackSetName=c.name,
                 DeploymentTargets={"OrganizationalUnitIds": [p.target]}, Regions=c.payload["regions"])  # fmt: skip
            details["regions"] = c.payload["regions"]
        record(engine, actor=actor, action=f"guardrails.{c.kind}.{c.op}", subject=c.name, details=details)
        done.append(c)
    state.save(engine, p.organization_id, snapshot(client, req, p), actor)
    return done


def snapshot(client: ClientFactory, req: DeployRequest, p: Plan) -> list[state.Deployed]:
    """What is deployed now, as `drift` will compare it later."""
    home = req.central_region
    org = client("organizations", home)
    cfn = client("cloudformation", home)
    live = _scp_by_name(org)
    items: list[state.Deployed] = []
    for scp in p.scps:
        pol = live.get(scp.name)
        if pol is None:
            continue
        content = call(f"describe SCP {scp.name}", org.describe_policy, PolicyId=pol["Id"])["Policy"]["Content"]
        norm = json.dumps(parse_body(content), sort_keys=True)
        items.append(state.Deployed("scp", scp.name, pol["Id"], state.digest(norm),
                                    {"targets": sorted(targets_of(org, pol["Id"]))}))  # fmt: skip
    ss = call("describe the stack set", cfn.describe_stack_set, StackSetName=detective.STACKSET_NAME)["StackSet"]
    items.append(state.Deployed("stackset", detective.STACKSET_NAME, ss["StackSetId"],
                                state.digest(json.dumps(parse_body(ss.get("TemplateBody")), sort_keys=True)), {}))  # fmt: skip
    rule_names = [r.name for r in detective.default_rules()]
    for i in pages("list stack instances", cfn, "list_stack_instances", "Summaries", StackSetName=detective.STACKSET_NAME):
        key = f"{i['Account']}/{i['Region']}"
        items.append(state.Deployed("stack_instance", key, i.get("StackId", ""), "", {"account": i["Account"], "region": i["Region"]}))
        if i["Account"] != p.management_account:
            items.append(state.Deployed("rules", key, "", "", {"account": i["Account"], "region": i["Region"], "names": rule_names}))
    items.append(state.Deployed("central_stack", detective.CENTRAL_STACK, f"{p.management_account}/{home}", "", {}))
    return items
