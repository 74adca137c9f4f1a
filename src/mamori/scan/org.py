"""`mamori scan --org`: scan an organization account by account, in one process or N local ones.

Memory model: each account is collected, evaluated and reduced to an :class:`AccountPart` —
its results, coverage, collection errors, the few facts the org checks need and its
*tagged* resources (suppressions, owners and engagements match on tags) and its workload rows
(``scan_workloads``: which ECS service or Lambda function runs which image, how exposed) — before the next
one starts in that process; the account's inventory and clients are dropped. So peak memory
grows with the findings, not with the accounts. The lifecycle (NEW / RESOLVED / reopened)
then runs once over every account's results (:func:`mamori.scan.service.record_evaluation`),
with the accounts or scopes that could not be read left UNKNOWN and untouched.

Rules are evaluated per account: a rule that relates resources (``ctx.inventory``) sees the
account's own resources only, not another account's.

With ``workers > 1`` a ``spawn`` process pool scans the accounts; each process loads the
rules itself (rules hold compiled functions and do not pickle), and the parts come back in
the plan's order, so the results are the same as with one process.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import boto3

from mamori.collect.aws.base import CollectContext
from mamori.collect.aws.org import OrgPlan, account_of
from mamori.collect.aws.org_checks import AccountFacts, account_facts, organization_data, organization_from
from mamori.collect.aws.runner import collect_aws
from mamori.collect.aws.session import AwsTarget, default_session_factory
from mamori.engine import Evaluation, evaluate
from mamori.errors import CollectionError
from mamori.findings import Store
from mamori.findings.org import record_org_accounts
from mamori.model.exposure import resolve_rows, workload_rows
from mamori.model.finding import Finding, Result
from mamori.model.resource import Coverage, Inventory, Resource, ScanError
from mamori.model.resources.organizations import ORGANIZATION
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import ScanOutcome, record_evaluation, scan_findings

AccountProgress = Callable[[str, int, int], None]
"""progress(account, done, total): called as each account finishes."""


class LeanInventory(Inventory):
    """An inventory that kept only some resources but knows how many there were (for the scan's counts)."""

    def __init__(self, *, total: int = 0, **kw: Any) -> None:
        super().__init__(**kw)
        self.total = total

    def __len__(self) -> int:
        return self.total


@dataclass
class AccountPart:
    """One account's scan, reduced: what the lifecycle, the report and the org checks need."""

    account: str
    results: list[Result] = field(default_factory=list)
    rules_evaluated: set[str] = field(default_factory=set)
    evaluations: int = 0
    coverage: set[Coverage] = field(default_factory=set)
    errors: list[ScanError] = field(default_factory=list)
    tagged: list[Resource] = field(default_factory=list)
    resources: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    facts: AccountFacts | None = None
    failed: str = ""  # the account could not be scanned at all (e.g. the role cannot be assumed)
    workloads: dict[str, Any] = field(default_factory=dict)  # mamori.model.exposure.workload_rows


@dataclass(frozen=True)
class AccountJob:
    """Everything a (possibly separate) process needs to scan one account; picklable."""

    target: AwsTarget
    caller: str
    now: datetime
    services: tuple[str, ...] = ()
    rule_paths: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    params: Mapping[str, Mapping[str, Any]] | None = None


def scan_account(job: AccountJob, rules: RuleSet, session_factory: Callable[[], boto3.Session] | None = None) -> AccountPart:
    """Collect one account, evaluate it, keep the part. Never raises for the account's own failure."""
    box: dict[str, AccountFacts] = {}

    def on_done(ctx: CollectContext, inv: Inventory) -> None:
        box["facts"] = account_facts(inv, ctx.account, ctx.regions, ctx.client)

    try:
        res = collect_aws(job.target, session_factory=session_factory, services_=job.services, on_done=on_done)
    except CollectionError as exc:
        account = account_of(job.target, job.caller)
        err = ScanError(account, "*", "sts", "AssumeRole", "CollectionError", str(exc)[:500])
        part = AccountPart(account, errors=[err], failed=str(exc)[:500])
        ev = evaluate(Inventory(errors=[err]), rules, params=job.params, now=job.now)
        part.results, part.rules_evaluated, part.evaluations = ev.results, ev.rules_evaluated, ev.evaluations
        return part
    inv = res.inventory
    ev = evaluate(inv, rules, params=job.params, now=job.now)
    part = AccountPart(
        account=res.account, results=ev.results, rules_evaluated=ev.rules_evaluated, evaluations=ev.evaluations,
        coverage=set(inv.coverage), errors=list(inv.errors), tagged=[r for r in inv if r.tags], resources=len(inv),
        calls=Counter(res.calls.calls), seconds=res.seconds, facts=box.get("facts"), workloads=workload_rows(inv),
    )  # fmt: skip
    return part


_worker_rules: dict[tuple[tuple[str, ...], tuple[str, ...]], RuleSet] = {}


def _run_in_worker(job: AccountJob) -> AccountPart:
    """The process pool's entry point: load (once per process) the rules, scan, free the memory."""
    key = (job.rule_paths, job.rule_ids)
    rules = _worker_rules.get(key)
    if rules is None:
        rules = load_rules([Path(p) for p in job.rule_paths]).select(list(job.rule_ids))
        _worker_rules[key] = rules
    try:
        return scan_account(job, rules)
    finally:
        gc.collect()


@dataclass(frozen=True)
class OrgScanRequest:
    plan: OrgPlan
    rules: RuleSet
    session: boto3.Session | Callable[[], boto3.Session] | None = None  # the caller's (for the org checks)
    rule_paths: tuple[Path, ...] = ()  # where worker processes load the rules from (config rule_paths)
    store: Store | None = None
    params: Mapping[str, Mapping[str, Any]] | None = None
    services: tuple[str, ...] = ()
    workers: int = 1
    org_checks: bool = True  # only on an unfiltered scan (the checks are about every account)


@dataclass
class OrgScanResult:
    outcome: ScanOutcome
    findings: list[Finding]
    plan: OrgPlan
    parts: list[AccountPart]
    removed: dict[str, list[str]] = field(default_factory=dict)  # account -> findings closed "account removed"

    @property
    def api_calls(self) -> int:
        return sum(sum(p.calls.values()) for p in self.parts)

    @property
    def failed_accounts(self) -> dict[str, str]:
        return {p.account: p.failed for p in self.parts if p.failed}


def collect_parts(
    jobs: Sequence[AccountJob], rules: RuleSet, *, workers: int = 1, progress: AccountProgress | None = None
) -> list[AccountPart]:
    """Scan every job's account, in this process (workers <= 1) or in a spawn process pool; plan order."""
    total = len(jobs)
    if workers <= 1 or total <= 1:
        parts = []
        for i, job in enumerate(jobs):
            parts.append(scan_account(job, rules))
            gc.collect()
            if progress:
                progress(parts[-1].account, i + 1, total)
        return parts
    out: dict[int, AccountPart] = {}
    with ProcessPoolExecutor(max_workers=min(workers, total), mp_context=get_context("spawn")) as pool:
        pending: dict[Future[AccountPart], int] = {pool.submit(_run_in_worker, j): i for i, j in enumerate(jobs)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                out[i] = fut.result()
                if progress:
                    progress(out[i].account, len(out), total)
    return [out[i] for i in range(total)]


def merge_parts(parts: Sequence[AccountPart], *, started: datetime, source: str) -> tuple[LeanInventory, Evaluation]:
    inv = LeanInventory(collected_at=started, source=source)
    results: list[Result] = []
    evaluated: set[str] = set()
    n = 0
    for p in parts:
        for r in p.tagged:
            inv.add(r)
        inv.errors.extend(p.errors)
        inv.coverage |= p.coverage
        inv.total += p.resources
        results.extend(p.results)
        evaluated |= p.rules_evaluated
        n += p.evaluations
    return inv, _evaluation(results, evaluated, n)


def _evaluation(results: list[Result], evaluated: set[str], n: int) -> Evaluation:
    counts: Counter[str] = Counter(r.status.value for r in results)
    return Evaluation(results, evaluated, n, 0.0, counts)


def scan_org(req: OrgScanRequest, progress: AccountProgress | None = None) -> OrgScanResult:
    """Scan every target of the plan, run the org checks (unfiltered scans), record once, close removed accounts."""
    started = datetime.now(UTC)
    plan = req.plan
    ids = tuple(sorted(r.id for r in req.rules))
    jobs = [
        AccountJob(t, plan.caller_account_id, started, req.services, tuple(str(p) for p in req.rule_paths), ids, req.params)
        for t in plan.targets
    ]
    parts = collect_parts(jobs, req.rules, workers=req.workers, progress=progress)
    inv, ev = merge_parts(parts, started=started, source=f"aws-org:{plan.organization_id}")
    if req.org_checks and runs_org_checks(plan, req.rules):
        org_inv = _org_inventory(req, parts)
        org_rules = RuleSet([r for r in req.rules if r.spec.resource_type == ORGANIZATION])
        org_ev = evaluate(org_inv, org_rules, params=req.params, now=started)
        for r in org_inv:
            inv.add(r)
        inv.total += len(org_inv)
        inv.coverage |= org_inv.coverage
        inv.errors.extend(org_inv.errors)
        ev = _evaluation(ev.results + org_ev.results, ev.rules_evaluated | org_ev.rules_evaluated, ev.evaluations + org_ev.evaluations)
    rows = resolve_rows(p.workloads for p in parts)  # a repo:tag of another account's ECR resolves here
    outcome = record_evaluation(inv, ev, req.rules, store=req.store, started_at=started, workloads=rows)
    removed: dict[str, list[str]] = {}
    if req.store is not None and not plan.filtered and plan.organization_id:
        listing = {a: (plan.names.get(a, ""), _status_of(plan, a)) for a in plan.org_account_ids}
        scan_id = outcome.summary.scan_id if outcome.summary else None
        removed = record_org_accounts(req.store.engine, plan.organization_id, listing, scan_id=scan_id, now=outcome.finished_at)
    return OrgScanResult(outcome, scan_findings(outcome, req.rules, req.store), plan, parts, removed)


def _status_of(plan: OrgPlan, account: str) -> str:
    for s in plan.skipped:
        if s.id == account and s.status:
            return s.status
    return "ACTIVE"


def _org_inventory(req: OrgScanRequest, parts: Sequence[AccountPart]) -> Inventory:
    plan = req.plan
    facts = {p.account: p.facts for p in parts if p.facts is not None}
    return organization_from(
        org_data(plan, req.session), organization_id=plan.organization_id,
        management_account_id=plan.management_account_id or plan.caller_account_id,
        active_accounts=plan.active_account_ids, facts=facts,
    )  # fmt: skip


def runs_org_checks(plan: OrgPlan, rules: RuleSet) -> bool:
    """The organization-level rules run on an unfiltered scan with targets (they are about every account)."""
    return not plan.filtered and bool(plan.targets) and any(r.spec.resource_type == ORGANIZATION for r in rules)


def org_data(plan: OrgPlan, session: boto3.Session | Callable[[], boto3.Session] | None) -> dict[str, Any]:
    """What the caller's account says of the organization (:func:`organization_data`), JSON-able."""
    base = plan.targets[0]
    if session is None:
        session = default_session_factory(AwsTarget(profile=base.profile, endpoint_url=base.endpoint_url, home_region=base.home_region))
    sess = session if isinstance(session, boto3.Session) else session()
    role_by_account = {account_of(t, plan.caller_account_id): t for t in plan.targets}

    def session_for(account: str) -> boto3.Session | None:
        t = role_by_account.get(account)
        if t is None:
            return None
        try:
            return default_session_factory(t)()
        except CollectionError:
            return None

    return organization_data(
        sess, endpoint_url=base.endpoint_url, region=base.home_region,
        management_account_id=plan.management_account_id or plan.caller_account_id, session_for=session_for,
    )  # fmt: skip


def org_plan_facts(plan: OrgPlan, rules: RuleSet, session: boto3.Session | Callable[[], boto3.Session] | None) -> dict[str, Any]:
    """The organization part of a distributed scan's plan (`scan --org --broker`): the shards keep
    their accounts' facts, and the finaliser evaluates the organization-level rules from them and
    this data (when :func:`runs_org_checks`), as :func:`scan_org` does in one process."""
    checks = runs_org_checks(plan, rules)
    return {
        "organization_id": plan.organization_id,
        "management_account_id": plan.management_account_id or plan.caller_account_id,
        "active_accounts": list(plan.active_account_ids),
        "checks": checks,
        "data": org_data(plan, session) if checks else None,
    }
