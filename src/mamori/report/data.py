"""What the HTML report shows, gathered from the store as plain JSON-able data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mamori import __version__
from mamori.catalog import standards
from mamori.config.hub import HubSettings
from mamori.errors import InputError
from mamori.findings import FindingFilter, Store
from mamori.hub.view import enrich
from mamori.model.finding import Finding
from mamori.report.overview import Overview, build_overview
from mamori.rules.loader import RuleSet
from mamori.standards.drift import Drift, drift
from mamori.standards.score import ALL
from mamori.standards.view import StandardView, standard_views

SEVERITY_ORDER = ("critical", "high", "medium", "low", "informational")


@dataclass(frozen=True)
class ReportData:
    title: str
    generated_at: datetime
    account: str
    views: list[StandardView]
    trend: dict[str, list[tuple[datetime, float | None]]]
    findings: list[dict[str, Any]]
    total_findings: int
    rules: dict[str, dict[str, Any]]
    drifts: list[Drift]
    overview: Overview | None = None

    def to_json(self) -> dict[str, Any]:
        scan = self.views[0].scan if self.views else None
        return {
            "title": self.title,
            "generated_at": self.generated_at.isoformat(),
            "mamori_version": __version__,
            "account": self.account,
            "scan": None if scan is None else {"id": scan.id, "finished_at": scan.finished_at.isoformat(), "accounts": scan.accounts, "regions": scan.regions, "resources": scan.resources},
            "standards": [{k: v for k, v in view.to_dict().items()} for view in self.views],
            "trend": {k: [[t.isoformat(), s] for t, s in v] for k, v in self.trend.items()},
            "findings": self.findings,
            "total_findings": self.total_findings,
            "rules": self.rules,
            "drift": [d.to_dict() for d in self.drifts],
            "overview": None if self.overview is None else self.overview.to_dict(),
        }


def _finding(f: Finding, owner: str, due: datetime | None, overdue: bool) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "account": f.account,
        "region": f.region,
        "type": f.resource_type,
        "resource": f.resource_id,
        "arn": f.resource_arn,
        "source": f.source,
        "first_seen": f.first_seen.isoformat(timespec="seconds"),
        "last_seen": f.last_seen.isoformat(timespec="seconds"),
        "evidence": f.evidence,
        "owner": owner,
        "due": due.date().isoformat() if due else None,
        "overdue": overdue,
    }


def gather(
    store: Store,
    rules: RuleSet,
    cfg: HubSettings,
    *,
    account: str = ALL,
    title: str = "mamori compliance report",
    max_findings: int = 20000,
    now: datetime | None = None,
) -> ReportData:
    now = now or datetime.now(UTC)
    views = standard_views(store, list(standards()), rules=rules, account=account, now=now)
    trend = {sid: store.score_history(sid, account, ALL) for sid in standards()}
    flt = FindingFilter(accounts=() if account == ALL else (account,))
    found = store.findings(flt)
    found.sort(key=lambda f: (not f.status.is_open, -f.severity.rank, f.rule_id, f.account, f.region, f.resource_id))
    total = len(found)
    found = found[:max_findings]
    meta = store.meta([f.id for f in found]) if found else {}
    hub = enrich(found, meta, cfg.owners, cfg.sla, now)
    items = [_finding(h.finding, h.owner, h.due_at, h.overdue) for h in hub]
    used = {f.rule_id for f in found}
    rule_text = {
        r.id: {
            "title": r.spec.title,
            "severity": r.spec.severity.value,
            "rationale": r.spec.rationale.strip(),
            "remediation": r.spec.remediation.strip(),
            "controls": r.spec.controls,
            "references": r.spec.references,
            "guardrail": r.spec.guardrail.value,
        }
        for r in rules
        if r.id in used
    }
    drifts = []
    if len(store.scans(2)) == 2:
        for sid in standards():
            try:
                drifts.append(drift(store, sid, account=account))
            except InputError:  # e.g. the previous scan did not cover this account
                continue
    overview = build_overview(store, accounts=None if account == ALL else frozenset({account}), sla=cfg.sla, rules=rules, now=now)
    return ReportData(title, now, account, views, trend, items, total, rule_text, drifts, overview)
