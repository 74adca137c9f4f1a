"""The IaC gate: read the sources, evaluate the IaC-evaluable rules, apply inline waivers.

Waivers use the findings hub's exception model (:class:`~mamori.model.suppression.Suppression`:
an exact selector, a reason, an expiry): an expired waiver stops working and the finding says
so; a malformed one (no reason, no expiry) waives nothing and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from mamori.collect.iac.load import load_iac
from mamori.collect.iac.values import Waiver
from mamori.engine.evaluate import evaluate, unresolved_for
from mamori.model.finding import ResultStatus, Severity
from mamori.model.resource import Inventory
from mamori.model.suppression import Selector, Suppression, SuppressionId, SuppressionIndex, Target
from mamori.rules.loader import RuleSet, load_rules

STATUS_ORDER = {"FAIL": 0, "UNKNOWN": 1, "SUPPRESSED": 2, "PASS": 3}


@dataclass(frozen=True)
class IacRequest:
    path: Path
    var_files: tuple[Path, ...] = ()
    include_pass: bool = False
    fail_on: Severity = Severity.LOW
    now: datetime | None = None
    rule_dirs: tuple[Path, ...] = ()


@dataclass
class IacFinding:
    rule_id: str
    status: str
    address: str
    file: str
    line: int
    severity: Severity
    title: str
    resource_type: str
    expression: str = ""
    reason: str = ""
    waiver: dict[str, Any] | None = None
    note: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"rule_id": self.rule_id, "status": self.status, "address": self.address, "file": self.file,
                             "line": self.line, "severity": self.severity.value, "title": self.title,
                             "resource_type": self.resource_type}  # fmt: skip
        if self.status == "UNKNOWN":
            d["expression"] = self.expression
            d["reason"] = self.reason
        if self.waiver:
            d["waiver"] = self.waiver
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class IacReport:
    findings: list[IacFinding]
    resources: int
    files: int
    rules: int
    fail_on: Severity
    notes: list[str] = field(default_factory=list)

    def blocking(self) -> list[IacFinding]:
        return [f for f in self.findings if f.status == "FAIL" and f.severity.at_least(self.fail_on)]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.status] = out.get(f.status, 0) + 1
        return out


@lru_cache(maxsize=8)
def iac_rules(rule_dirs: tuple[Path, ...] = ()) -> RuleSet:
    """The rules `gate iac` evaluates: every rule not marked ``live_only`` (loaded once a process)."""
    return RuleSet(r for r in load_rules(rule_dirs) if r.spec.live_only is None)


def _suppression(w: Waiver, address: str, now: datetime) -> Suppression:
    day = datetime.fromisoformat(w.expires).date()
    expires = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return Suppression(SuppressionId(f"inline:{address}:{w.rule_id}"), Selector(rule_id=w.rule_id, resource_id=address),
                       w.reason, "inline (code review)", expires, now, created_by="iac", origin="iac-inline")  # fmt: skip


def run_iac_gate(req: IacRequest) -> IacReport:
    now = req.now or datetime.now(UTC)
    adapted, raws, files = load_iac(req.path, list(req.var_files))
    rules = iac_rules(req.rule_dirs)
    by_id = {(a.resource.type, a.resource.account, a.resource.id): a for a in adapted}
    inv = Inventory([a.resource for a in adapted], collected_at=now)
    ev = evaluate(inv, rules, now=now)
    notes: list[str] = []
    findings: list[IacFinding] = []
    for res in ev.results:
        a = by_id.get((res.resource_type, res.account, res.resource_id))
        if a is None:
            continue
        spec = rules.get(res.rule_id).spec
        status = res.status.value
        f = IacFinding(res.rule_id, status, a.raw.address, a.raw.file, a.raw.line, res.severity, spec.title, res.resource_type,
                       reason=res.reason, evidence=res.evidence)  # fmt: skip
        if res.status is ResultStatus.UNKNOWN:
            exprs = (
                unresolved_for(a.resource, [k for k, v in res.evidence.items() if v is None])
                if a.resource.unresolved
                else {}
            )
            f.expression = (
                "; ".join(f"{k} = {e}" if not e.startswith(k) else e for k, e in exprs.items()) or res.reason
            )
        if res.status in (ResultStatus.FAIL, ResultStatus.UNKNOWN):
            _apply_waivers(f, a.raw.waivers, now)
        if f.status == "PASS" and not req.include_pass:
            continue
        findings.append(f)
    for r in raws:
        for w in r.waivers:
            if w.problem:
                notes.append(
                    f"{r.file}:{w.line or r.line}: waiver for {w.rule_id} on {r.address} ignored: {w.problem}"
                )
    findings.sort(
        key=lambda f: (STATUS_ORDER.get(f.status, 9), -f.severity.rank, f.file, f.line, f.address, f.rule_id)
    )
    return IacReport(findings, len(adapted), files, len(rules), req.fail_on, notes)


def _apply_waivers(f: IacFinding, waivers: list[Waiver], now: datetime) -> None:
    good = [w for w in waivers if w.rule_id == f.rule_id and not w.problem]
    if not good:
        return
    items = [_suppression(w, f.address, now) for w in good]
    match = SuppressionIndex(items, now).match(
        Target(finding_id="", rule_id=f.rule_id, account="", region="", resource_id=f.address)
    )
    if match is not None:
        f.waiver = {
            "reason": match.reason,
            "expires": match.expires_at.date().isoformat(),
            "status": f.status,
        }
        f.status = "SUPPRESSED"
        return
    last = max(items, key=lambda s: s.expires_at)
    f.note = f"waiver expired on {last.expires_at.date().isoformat()} (reason was: {last.reason})"
