"""Try one rule: over a snapshot, or over a case file (the format of ``tests/rules/cases``).

A case file::

    rule: my_bucket_rule          # optional; must name the rule under test when given
    now: 2026-11-23T12:00:00Z     # optional; the evaluation time for age conditions
    cases:
      - name: public bucket
        expect: FAIL              # PASS | FAIL | UNKNOWN | SKIP (the rule does not apply)
        params: {max_age_days: 30}          # optional rule parameters
        resource: {type: aws.s3.bucket, id: b1, properties: {...}, tags: {...}}
        others: [{type: ..., properties: ...}]   # optional: more resources a hook reads
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.collect.iac.cases import KINDS, case_resources, pick
from mamori.engine.evaluate import evaluate
from mamori.errors import InputError
from mamori.model.finding import Result, ResultStatus
from mamori.model.resource import Inventory, Resource
from mamori.rules.loader import Rule, RuleSet
from mamori.safeload import load_yaml

EXPECTS = ("PASS", "FAIL", "UNKNOWN", "SKIP")


@dataclass(frozen=True)
class CaseOutcome:
    index: int
    name: str
    expect: str
    got: str
    result: Result | None

    @property
    def ok(self) -> bool:
        return self.expect == self.got

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "name": self.name, "expect": self.expect, "got": self.got, "ok": self.ok,
            "evidence": self.result.evidence if self.result else {}, "reason": self.result.reason if self.result else "",
        }  # fmt: skip


def evaluate_rule(rule: Rule, inventory: Inventory, *, params: Mapping[str, Any] | None = None, now: datetime | None = None) -> list[Result]:
    """Every result of one rule over an inventory (one per resource it applies to, plus UNKNOWN scopes)."""
    ev = evaluate(inventory, RuleSet([rule]), now=now, params={rule.id: dict(params or {})})
    return ev.results


def _resource(spec: Any, default_type: str, i: int, src: str, where: str) -> Resource:
    if not isinstance(spec, dict):
        raise InputError("a resource must be a mapping (type, id, properties, ...)", source=src, where=where)
    props = spec.get("properties") or {}
    if not isinstance(props, dict):
        raise InputError("properties must be a mapping", source=src, where=f"{where}.properties")
    return Resource(
        provider="aws",
        account=str(spec.get("account", "111122223333")),
        region=str(spec.get("region", "us-east-1")),
        type=str(spec.get("type", default_type)),
        id=str(spec.get("id", f"res-{i}")),
        arn=str(spec.get("arn", "")),
        name=str(spec.get("name", "")),
        tags={str(k): str(v) for k, v in (spec.get("tags") or {}).items()},
        properties=props,
    )


def load_case_file(path: Path) -> dict[str, Any]:
    src = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=src) from exc
    doc = load_yaml(raw, source=src)  # bounded: size, depth, aliases, duplicate keys, UTF-8
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list) or not doc["cases"]:
        raise InputError("a case file is a mapping with a non-empty list `cases:`", source=src, where="cases")
    for i, case in enumerate(doc["cases"]):
        if not isinstance(case, dict) or not ({"resource", *KINDS} & set(case)):
            raise InputError("each case needs `expect:` and `resource:`", source=src, where=f"cases[{i}]")
        if case.get("expect") not in EXPECTS:
            raise InputError(f"expect must be one of {', '.join(EXPECTS)}, not {case.get('expect')!r}", source=src, where=f"cases[{i}].expect")
    return doc


def _now(doc: Mapping[str, Any], src: str) -> datetime | None:
    raw = doc.get("now")
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    try:
        t = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"invalid time {raw!r}", source=src, where="now") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def run_cases(rule: Rule, path: Path, *, now: datetime | None = None) -> list[CaseOutcome]:
    """Run every case of ``path`` against ``rule``; ``now`` overrides the file's ``now:`` (default: the current time)."""
    src = str(path)
    doc = load_case_file(path)
    if doc.get("rule") not in (None, rule.id):
        raise InputError(f"the case file is for rule {doc['rule']!r}, not {rule.id!r}", source=src, where="rule")
    when = now or _now(doc, src) or datetime.now(UTC)
    out = []
    for i, case in enumerate(doc["cases"]):
        kind = next((k for k in KINDS if k in case), None)
        if kind is not None:  # a Terraform / CloudFormation snippet, read by the real IaC adapters
            found = case_resources(kind, str(case[kind]))
            picked = pick(found, rule.spec.resource_type, case.get("address"))
            if picked is None:
                raise InputError(f"the snippet declares no {rule.spec.resource_type}", source=src, where=f"cases[{i}].{kind}")
            res, others = picked, [r for r in found if r is not picked]
        else:
            res = _resource(case["resource"], rule.spec.resource_type, i, src, f"cases[{i}].resource")
            others = [_resource(o, rule.spec.resource_type, 1000 + j, src, f"cases[{i}].others[{j}]") for j, o in enumerate(case.get("others") or [])]
        params = case.get("params") or {}
        if not isinstance(params, dict):
            raise InputError("params must be a mapping", source=src, where=f"cases[{i}].params")
        inv = Inventory([res, *others], collected_at=when)
        mine = [r for r in evaluate_rule(rule, inv, params=params, now=when) if r.resource_id == res.id and r.resource_type == res.type]
        got = mine[0].status.value if mine else "SKIP"
        out.append(CaseOutcome(i, str(case.get("name", "")), str(case["expect"]), got, mine[0] if mine else None))
    return out


def status_counts(results: list[Result]) -> dict[str, int]:
    return {s.value: sum(1 for r in results if r.status is s) for s in ResultStatus}
