"""Impact of SCPs before they are attached: which logged calls they would have denied.

Each Deny statement is evaluated against the CloudTrail calls in the log store (`mamori
logs ingest`) of the last N days: the call's action (``eventSource`` prefix + ``eventName``,
matched case-insensitively with wildcards against ``Action`` / ``NotAction``), its
resource where the statement names resources (role, stack and rule ARNs rebuilt from the
request), and the condition keys mamori's policies use: ``aws:PrincipalArn`` (the role
behind an assumed-role session) and ``aws:RequestedRegion`` (``awsRegion``). A statement
with another condition key counts as matching, and says so (``unevaluated``).

Not counted, as SCPs never apply to them: calls by AWS services (``invokedBy``) and
service-linked roles, console sign-ins (``AwsConsoleSignIn``), calls that already failed
with an access error, and, when ``accounts`` is given, calls of other accounts (the
management account is never restricted by an SCP).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mamori.guardrails.policies import Scp

_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "signin": "signin", "elasticloadbalancing": "elasticloadbalancing"}
_RENAMED = {"s3:ListBuckets": "s3:ListAllMyBuckets"}
_VERSION = re.compile(r"\d{8}(v\d+)?$")
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation"}
MAX_CALLS = 50
_SUPPORTED_KEYS = {"aws:principalarn", "aws:requestedregion"}


def action_of(event_source: str, event_name: str) -> str:
    """The IAM action of a CloudTrail event (``lambda`` names lose their API-version suffix)."""
    prefix = event_source.split(".")[0]
    prefix = _PREFIX.get(prefix, prefix)
    act = f"{prefix}:{_VERSION.sub('', event_name)}"
    return _RENAMED.get(act, act)


@dataclass(frozen=True)
class Call:
    time: datetime | None
    account: str
    region: str
    principal: str
    action: str
    resource_arns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time.isoformat() if self.time else None, "account": self.account, "region": self.region,
                "principal": self.principal, "action": self.action}  # fmt: skip


def _resources(action: str, account: str, region: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    svc = action.split(":")[0]
    if svc == "iam" and isinstance(params.get("roleName"), str):
        return (f"arn:aws:iam::{account}:role/{params['roleName']}",)
    if svc == "cloudformation" and isinstance(params.get("stackName"), str):
        name = params["stackName"]
        return (name,) if name.startswith("arn:") else (f"arn:aws:cloudformation:{region}:{account}:stack/{name}/*",)
    if svc == "events" and isinstance(params.get("name"), str):
        return (f"arn:aws:events:{region}:{account}:rule/{params['name']}",)
    return ()


def _like(value: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _values(v: Any) -> list[str]:
    return [str(x) for x in (v if isinstance(v, list) else [v])]


def _condition(cond: Mapping[str, Any], call: Call) -> tuple[bool, bool]:
    """(the condition holds, it named a key mamori cannot evaluate)."""
    unevaluated = False
    for op, keys in cond.items():
        for key, raw in keys.items():
            k = key.lower()
            if k not in _SUPPORTED_KEYS:
                unevaluated = True
                continue
            value = call.principal if k == "aws:principalarn" else call.region
            vals = _values(raw)
            base = op.replace("IfExists", "")
            negate = "Not" in base
            if base.replace("Not", "") in ("StringLike", "ArnLike"):
                hit = _like(value, vals)
            elif base.replace("Not", "") in ("StringEquals", "ArnEquals"):
                hit = value.lower() in {x.lower() for x in vals} if base.startswith("String") else value in vals
            else:
                unevaluated = True
                continue
            if hit == negate:
                return False, unevaluated
    return True, unevaluated


def statement_denies(stmt: Mapping[str, Any], call: Call) -> tuple[bool, bool]:
    """(``stmt`` would deny ``call``, a condition key was not evaluated)."""
    if stmt.get("Effect") != "Deny":
        return False, False
    if "NotAction" in stmt:
        if _like(call.action, _values(stmt["NotAction"])):
            return False, False
    elif not _like(call.action, _values(stmt.get("Action", []))):
        return False, False
    res = _values(stmt.get("Resource", "*"))
    if "*" not in res and not any(_like(a, res) for a in call.resource_arns):
        return False, False
    return _condition(stmt.get("Condition") or {}, call)


@dataclass
class PolicyImpact:
    name: str
    denied: int = 0
    unevaluated: int = 0
    principals: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    calls: list[Call] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.name, "denied_calls": self.denied, "unevaluated_conditions": self.unevaluated,
            "principals": [{"principal": p, "calls": n} for p, n in self.principals.most_common()],
            "actions": [{"action": a, "calls": n} for a, n in self.actions.most_common()],
            "calls": [c.to_dict() for c in self.calls],
        }  # fmt: skip


@dataclass
class ImpactReport:
    since: datetime
    until: datetime
    evaluated: int
    skipped: dict[str, int]
    policies: list[PolicyImpact]

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "calls_evaluated": self.evaluated,
                "calls_skipped": self.skipped, "policies": [p.to_dict() for p in self.policies]}  # fmt: skip


_SQL = """
SELECT event_time, event_source, event_name, aws_region, principal_arn, principal_type, account,
       error_code, event_type, invoked_by, request_parameters
FROM events WHERE event_time >= ? AND event_time <= ? ORDER BY event_time, event_id
"""


def calls_from(con: Any, since: datetime, until: datetime, accounts: Iterable[str] | None, skipped: Counter[str]) -> list[Call]:
    """The logged calls an SCP could deny (see the module docstring for what is left out)."""
    keep = set(accounts) if accounts is not None else None
    rows = con.execute(_SQL, [since.replace(tzinfo=None), until.replace(tzinfo=None)]).fetchall()
    out: list[Call] = []
    for t, src, name, region, principal, ptype, account, err, etype, invoked_by, params in rows:
        if invoked_by or ptype == "AWSService" or "/aws-service-role/" in (principal or ""):
            skipped["aws_service"] += 1
            continue
        if etype == "AwsConsoleSignIn":
            skipped["console_sign_in"] += 1
            continue
        if err in _DENIED:
            skipped["already_denied"] += 1
            continue
        if keep is not None and account not in keep:
            skipped["outside_target"] += 1
            continue
        action = action_of(src or "", name or "")
        try:
            req = json.loads(params) if params else {}
        except json.JSONDecodeError:
            req = {}
        arns = _resources(action, account or "", region or "", req if isinstance(req, dict) else {})
        when = t.replace(tzinfo=UTC) if isinstance(t, datetime) else None
        out.append(Call(when, account or "", region or "", principal or "", action, arns))
    return out


def evaluate(scps: list[Scp], calls: list[Call]) -> list[PolicyImpact]:
    out = []
    for scp in scps:
        pi = PolicyImpact(scp.name)
        for c in calls:
            for stmt in scp.document["Statement"]:
                denied, unevaluated = statement_denies(stmt, c)
                if denied:
                    pi.denied += 1
                    pi.unevaluated += int(unevaluated)
                    pi.principals[c.principal] += 1
                    pi.actions[c.action] += 1
                    if len(pi.calls) < MAX_CALLS:
                        pi.calls.append(c)
                    break
        out.append(pi)
    return out


def report(con: Any, scps: list[Scp], *, days: int = 30, until: datetime | None = None,
           accounts: Iterable[str] | None = None) -> ImpactReport:  # fmt: skip
    """What ``scps`` would have denied of the calls logged in the ``days`` before ``until`` (default: now)."""
    end = (until or datetime.now(UTC)).astimezone(UTC)
    start = end - timedelta(days=days)
    skipped: Counter[str] = Counter()
    calls = calls_from(con, start, end, accounts, skipped)
    return ImpactReport(start, end, len(calls), dict(skipped), evaluate(scps, calls))
