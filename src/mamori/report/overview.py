"""The overview: what a CISO reads first. One data model for the server's Overview page and the HTML report.

:func:`build_overview` answers, for the accounts a reader may see (``accounts``: ``None`` =
every account, a frozenset = exactly these, possibly none), with a handful of grouped SQL
queries (never a query per row or per account):

* open findings by severity (the counts at the top) and how many are past their SLA
* the score per standard over the last ``days`` (90) and per account (worst first)
* top root causes (rules x resources): the rules failing on the most resources (one open
  finding is one rule on one resource), and in how many accounts
* fixes ordered by severity x count (the weight of a severity times its open findings), the worst 50
* what changed in the latest scan (new, reopened, resolved) and the drift per standard:
  "was 96.0 %, now 81.0 %: these findings caused it"
* the breakdown of open findings by account and by service
* rule titles (from the rule set, or the stored finding title for imported findings)

A reader scoped to some accounts never sees a number computed over others: scores are
re-aggregated from the per-account score rows of the visible accounts (the stored ``*``
row covers every account and is used only when ``accounts`` is ``None``); scans are those
that scored a visible account. :func:`account_rows` is the accounts page (cursor pages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, literal, or_, select, true

from mamori.catalog import standards
from mamori.config.hub import SlaConfig
from mamori.findings import Store
from mamori.findings.tables import finding_history, findings, scans, scores
from mamori.model.finding import FindingStatus, Severity
from mamori.model.score import ScoreRow
from mamori.rules.loader import RuleSet
from mamori.standards.score import ALL, WEIGHTS
from mamori.standards.tables import scan_rules

SEVERITIES = tuple(s.value for s in Severity)  # worst first
OPEN = tuple(s.value for s in FindingStatus if s.is_open)
TREND_DAYS = 90
TOP = 10
FIXES = 50  # the fixes listed (worst first); the API's /api/v1/findings?rule= has the rest

Accounts = frozenset[str] | None


def in_accounts(col: Any, accounts: Accounts) -> ColumnElement[bool]:
    """``col IN (visible accounts)``; every account when ``accounts`` is None, none when it is empty."""
    if accounts is None:
        return true()
    if not accounts:
        return false()
    out: ColumnElement[bool] = col.in_(sorted(accounts))
    return out


def _rank() -> Any:
    """The severity's rank in SQL (critical 4 .. informational 0), for ordering worst first."""
    return case({s.value: s.rank for s in Severity}, value=findings.c.severity, else_=-1)


_BY_RANK = {s.rank: s for s in Severity}


def overdue_clause(sla: SlaConfig, now: datetime) -> ColumnElement[bool]:
    """Open findings past their SLA: ``first_seen + days(severity) < now``, per severity, in SQL."""
    conds = [
        and_(findings.c.severity == s.value, findings.c.first_seen < now - timedelta(days=d))
        for s in Severity
        if (d := sla.days(s)) is not None
    ]
    return and_(findings.c.status.in_(OPEN), or_(*conds)) if conds else false()


def service_of(resource_type: str) -> str:
    """``aws.s3.bucket`` -> ``s3``; a type of another shape (imported tools) is its own service."""
    parts = resource_type.split(".")
    return parts[1] if len(parts) >= 3 else resource_type


def _score(passed: int, failed: int, wp: int, wt: int) -> float | None:
    return ScoreRow("", "", "", int(passed), int(failed), 0, int(wp), int(wt)).score


@dataclass(frozen=True)
class SeverityCounts:
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    informational: int = 0

    @property
    def total(self) -> int:
        return self.critical + self.high + self.medium + self.low + self.informational

    @property
    def weight(self) -> int:
        """Severity weights x counts (critical 10, high 5, medium 3, low 1): how bad, as one number."""
        return sum(WEIGHTS[s] * getattr(self, s.value) for s in Severity)

    def items(self) -> list[tuple[str, int]]:
        return [(s, getattr(self, s)) for s in SEVERITIES]

    def to_dict(self) -> dict[str, int]:
        return {**dict(self.items()), "total": self.total}

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> SeverityCounts:
        return cls(**{s: int(counts.get(s, 0)) for s in SEVERITIES})


@dataclass(frozen=True)
class ScanBrief:
    id: str
    finished_at: datetime
    accounts: tuple[str, ...]  # only the visible ones
    regions: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "finished_at": self.finished_at.isoformat(), "accounts": list(self.accounts), "regions": self.regions}


@dataclass(frozen=True)
class StandardScore:
    """A standard's score over the visible accounts: the latest, the one before, and the trend."""

    standard: str
    title: str
    score: float | None
    previous: float | None
    points: tuple[tuple[datetime, float | None], ...]

    @property
    def delta(self) -> float | None:
        return None if self.score is None or self.previous is None else round(self.score - self.previous, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard, "title": self.title, "score": self.score, "previous": self.previous, "delta": self.delta,
            "trend": [[t.isoformat(), s] for t, s in self.points],
        }  # fmt: skip


@dataclass(frozen=True)
class AccountRow:
    account: str
    open: SeverityCounts
    overdue: int
    scores: dict[str, float | None]  # standard -> latest score of this account
    trend: tuple[tuple[datetime, float | None], ...] = ()  # baseline over the trend window

    @property
    def cloud(self) -> str:
        return cloud_of(self.account)

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account, "cloud": self.cloud, "open": self.open.to_dict(), "overdue": self.overdue,
            "scores": self.scores, "trend": [[t.isoformat(), s] for t, s in self.trend],
        }  # fmt: skip


def cloud_of(account: str) -> str:
    """``aws`` for a 12-digit account id, ``gcp`` for a GCP project id (or ``organizations/N``, from a CAI export)."""
    return "aws" if len(account) == 12 and account.isdigit() else "gcp"


@dataclass(frozen=True)
class ServiceRow:
    service: str
    open: SeverityCounts

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "open": self.open.to_dict()}


@dataclass(frozen=True)
class RuleRow:
    """One rule's open findings: a root cause (rule x resources) and a fix (severity x count)."""

    rule_id: str
    title: str
    severity: str
    findings: int  # open findings = resources affected (a finding is one rule on one resource)
    accounts: int
    remediation: str = ""

    @property
    def priority(self) -> int:
        """Severity weight x open findings: the order fixes are listed in."""
        try:
            return WEIGHTS[Severity(self.severity)] * self.findings
        except ValueError:
            return 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "priority": self.priority}


@dataclass(frozen=True)
class FindingBrief:
    id: str
    rule_id: str
    title: str
    severity: str
    account: str
    region: str
    resource_id: str
    change: str  # new | reopened | resolved

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Changes:
    """What the latest scan changed among the visible accounts' findings."""

    scan: ScanBrief | None
    new: int = 0
    reopened: int = 0
    resolved: int = 0
    items: tuple[FindingBrief, ...] = ()  # the worst opened ones first

    def to_dict(self) -> dict[str, Any]:
        return {
            "scan": None if self.scan is None else self.scan.to_dict(), "new": self.new, "reopened": self.reopened,
            "resolved": self.resolved, "items": [i.to_dict() for i in self.items],
        }  # fmt: skip


@dataclass(frozen=True)
class DriftBrief:
    """"baseline was 96.0 %, now 81.0 %: these findings caused it" over the last two scans."""

    standard: str
    title: str
    was: float | None
    now: float | None
    since: datetime
    opened: int
    resolved: int
    findings: tuple[FindingBrief, ...] = ()

    @property
    def delta(self) -> float | None:
        return None if self.was is None or self.now is None else round(self.now - self.was, 1)

    def headline(self) -> str:
        fa = "n/a" if self.was is None else f"{self.was:.1f} %"
        fb = "n/a" if self.now is None else f"{self.now:.1f} %"
        head = f"{self.standard}: was {fa} on {self.since.date().isoformat()}, now {fb}"
        d = self.delta
        if d is not None and d < 0 and self.findings:
            head += ": these findings caused it"
        elif d is not None and d > 0 and self.resolved:
            head += f": {self.resolved} finding(s) fixed"
        return head

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard, "title": self.title, "was": self.was, "now": self.now, "delta": self.delta,
            "since": self.since.isoformat(), "headline": self.headline(), "opened": self.opened, "resolved": self.resolved,
            "findings": [f.to_dict() for f in self.findings],
        }  # fmt: skip


@dataclass(frozen=True)
class Overview:
    generated_at: datetime
    scoped: bool  # True: restricted to some accounts
    accounts: int  # visible accounts with findings or scores
    open: SeverityCounts
    statuses: dict[str, int]
    overdue: int
    latest_scan: ScanBrief | None
    scores: tuple[StandardScore, ...]
    by_account: tuple[AccountRow, ...]  # worst first, at most `top`
    by_service: tuple[ServiceRow, ...]
    root_causes: tuple[RuleRow, ...]  # most open findings first
    fixes: tuple[RuleRow, ...]  # severity x count first
    changes: Changes
    drift: tuple[DriftBrief, ...]
    titles: dict[str, str] = field(default_factory=dict)  # rule id -> title, for every rule shown

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "scoped": self.scoped,
            "accounts": self.accounts,
            "open": self.open.to_dict(),
            "statuses": self.statuses,
            "overdue": self.overdue,
            "latest_scan": None if self.latest_scan is None else self.latest_scan.to_dict(),
            "scores": [s.to_dict() for s in self.scores],
            "by_account": [a.to_dict() for a in self.by_account],
            "by_service": [s.to_dict() for s in self.by_service],
            "root_causes": [r.to_dict() for r in self.root_causes],
            "fixes": [r.to_dict() for r in self.fixes],
            "changes": self.changes.to_dict(),
            "drift": [d.to_dict() for d in self.drift],
            "titles": self.titles,
        }


# -- queries -------------------------------------------------------------------------


def _scope_scans(conn: Connection, accounts: Accounts, limit: int) -> list[tuple[str, datetime]]:
    """The latest scans (newest first) that scored a visible account (every scan when unscoped)."""
    if accounts is None:
        q = select(scans.c.id, scans.c.finished_at).order_by(scans.c.finished_at.desc(), scans.c.id.desc()).limit(limit)
    else:
        q = (
            select(scores.c.scan_id, func.max(scores.c.at).label("at"))
            .where(in_accounts(scores.c.account, accounts), scores.c.category == ALL)
            .group_by(scores.c.scan_id)
            .order_by(func.max(scores.c.at).desc(), scores.c.scan_id.desc())
            .limit(limit)
        )
    return [(r[0], r[1]) for r in conn.execute(q)]


def _scan_brief(conn: Connection, scan_id: str, accounts: Accounts) -> ScanBrief | None:
    r = conn.execute(select(scans.c.id, scans.c.finished_at, scans.c.accounts, scans.c.regions).where(scans.c.id == scan_id)).first()
    if r is None:
        return None
    accts = tuple(a for a in r.accounts if accounts is None or a in accounts)
    return ScanBrief(r.id, r.finished_at, accts, len([x for x in r.regions if x != "global"]))


def _standard_scores(conn: Connection, accounts: Accounts, since: datetime) -> dict[str, list[tuple[str, datetime, float | None]]]:
    """standard -> [(scan id, at, score)] oldest first, over the visible accounts."""
    c = scores.c
    if accounts is None:
        q = select(c.standard, c.scan_id, c.at, c.passed, c.failed, c.weight_passed, c.weight_total).where(
            c.account == ALL, c.category == ALL, c.at >= since
        )
    else:
        q = (
            select(
                c.standard, c.scan_id, func.max(c.at).label("at"), func.sum(c.passed).label("passed"), func.sum(c.failed).label("failed"),
                func.sum(c.weight_passed).label("weight_passed"), func.sum(c.weight_total).label("weight_total"),
            )  # fmt: skip
            .where(in_accounts(c.account, accounts), c.category == ALL, c.at >= since)
            .group_by(c.standard, c.scan_id)
        )
    out: dict[str, list[tuple[str, datetime, float | None]]] = defaultdict(list)
    for r in conn.execute(q):
        out[r.standard].append((r.scan_id, r.at, _score(r.passed, r.failed, r.weight_passed, r.weight_total)))
    for v in out.values():
        v.sort(key=lambda x: (x[1], x[0]))
    return out


def _latest_account_scores(conn: Connection, accounts: Accounts, only: Sequence[str] | None = None) -> dict[str, dict[str, float | None]]:
    """account -> standard -> the score of that account's latest scored scan.

    First the latest time per (account, standard) (index-only on ``ix_scores_overview``),
    then the rows at those times, one query per distinct time (the scans), never per account.
    """
    c = scores.c
    acct = c.account != ALL if accounts is None else in_accounts(c.account, accounts)
    if only is not None:
        acct = and_(acct, c.account.in_(list(only)))
    latest = select(c.account, c.standard, func.max(c.at)).where(acct, c.category == ALL).group_by(c.account, c.standard)
    want: set[tuple[str, str, datetime]] = set()
    by_at: dict[datetime, set[str]] = defaultdict(set)
    for account, std, at in conn.execute(latest):
        want.add((account, std, at))
        by_at[at].add(account)
    out: dict[str, dict[str, float | None]] = defaultdict(dict)
    for at, names in by_at.items():
        ordered = sorted(names)
        for i in range(0, len(ordered), 900):
            q = select(c.account, c.standard, c.at, c.passed, c.failed, c.weight_passed, c.weight_total).where(
                c.category == ALL, c.at == at, c.account.in_(ordered[i : i + 900])
            )
            for r in conn.execute(q):
                if (r.account, r.standard, r.at) in want:
                    out[r.account][r.standard] = _score(r.passed, r.failed, r.weight_passed, r.weight_total)
    return out


def _account_trends(conn: Connection, names: Sequence[str], standard: str, since: datetime) -> dict[str, list[tuple[datetime, float | None]]]:
    if not names:
        return {}
    c = scores.c
    q = (
        select(c.account, c.at, c.passed, c.failed, c.weight_passed, c.weight_total)
        .where(c.account.in_(list(names)), c.standard == standard, c.category == ALL, c.at >= since)
        .order_by(c.at)
    )
    out: dict[str, list[tuple[datetime, float | None]]] = defaultdict(list)
    for r in conn.execute(q):
        out[r.account].append((r.at, _score(r.passed, r.failed, r.weight_passed, r.weight_total)))
    return out


def _open_by(conn: Connection, col: Any, accounts: Accounts) -> dict[str, dict[str, int]]:
    """key -> severity -> open findings, for a grouping column."""
    key = _unordered(col)
    q = (
        select(key, findings.c.severity, func.count())
        .where(findings.c.status.in_(OPEN), in_accounts(findings.c.account, accounts))
        .group_by(key, findings.c.severity)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for k, sev, n in conn.execute(q):
        out[k][sev] = out[k].get(sev, 0) + int(n)
    return out


def _open_by_account(conn: Connection, accounts: Accounts, sla: SlaConfig, now: datetime) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """account -> severity -> open findings, and account -> overdue, in one pass over the open findings."""
    key = _unordered(findings.c.account)
    overdue = func.sum(case((overdue_clause(sla, now), 1), else_=0))
    q = (
        select(key, findings.c.severity, func.count(), overdue)
        .where(findings.c.status.in_(OPEN), in_accounts(findings.c.account, accounts))
        .group_by(key, findings.c.severity)
    )
    per: dict[str, dict[str, int]] = defaultdict(dict)
    late: dict[str, int] = {}
    for k, sev, n, od in conn.execute(q):
        per[k][sev] = per[k].get(sev, 0) + int(n)
        if od:
            late[k] = late.get(k, 0) + int(od)
    return per, late


def _unordered(col: Any) -> Any:
    """``col || ''``: the same value, but no index on ``col`` alone can deliver it in order, so SQLite's planner
    scans the covering ``ix_findings_overview`` (status first) instead of walking an index on ``col`` and
    reading every row of the table; PostgreSQL plans it the same either way."""
    return (col + literal("")).label(col.name)


def _rule_rows(conn: Connection, accounts: Accounts, rules: RuleSet | None) -> list[RuleRow]:
    """Open findings per rule (index-only on ix_findings_overview); titles filled in by :func:`_titles`."""
    f = findings.c
    q = (
        select(rid := _unordered(f.rule_id), func.max(_rank()).label("rank"), func.count().label("n"),
               func.count(func.distinct(f.account)).label("acc"))  # fmt: skip
        .where(f.status.in_(OPEN), in_accounts(f.account, accounts))
        .group_by(rid)
    )
    out = []
    for r in conn.execute(q):
        rule = rules.get(r.rule_id) if rules is not None and r.rule_id in rules else None
        out.append(
            RuleRow(
                rule_id=r.rule_id,
                title=rule.spec.title if rule is not None else "",
                severity=rule.spec.severity.value if rule is not None else _BY_RANK.get(r.rank, Severity.INFORMATIONAL).value,
                findings=int(r.n),
                accounts=int(r.acc),
                remediation=rule.spec.remediation.strip() if rule is not None else "",
            )
        )
    return out


def _titles(conn: Connection, rows: Iterable[RuleRow]) -> dict[str, str]:
    """The stored title of rules the rule set does not know (imported findings), for the rows shown only."""
    missing = sorted({r.rule_id for r in rows if not r.title})
    out: dict[str, str] = {}
    for rid in missing:  # one indexed row per rule (a grouped min() over every finding of the rule took ~0.4 s at 200k)
        title = conn.execute(select(findings.c.title).where(findings.c.rule_id == rid).order_by(findings.c.id).limit(1)).scalar()
        if title is not None:
            out[rid] = str(title)
    return out


def _briefs(conn: Connection, scan_id: str, accounts: Accounts, *, rule_ids: Iterable[str] | None, limit: int) -> list[FindingBrief]:
    """The worst findings the scan opened (new or reopened) among the visible accounts."""
    h, f = finding_history.c, findings.c
    change = case((h.from_status == FindingStatus.RESOLVED.value, "reopened"), else_="new").label("change")
    q = (
        select(f.id, f.rule_id, f.title, f.severity, f.account, f.region, f.resource_id, change)
        .select_from(finding_history.join(findings, findings.c.id == h.finding_id))
        .where(h.scan_id == scan_id, h.to_status == FindingStatus.NEW.value, in_accounts(f.account, accounts))
        .order_by(_rank().desc(), f.rule_id, f.account, f.resource_id)
        .limit(limit)
    )
    if rule_ids is not None:
        q = q.where(f.rule_id.in_(sorted(rule_ids)))
    return [FindingBrief(r.id, r.rule_id, r.title, r.severity, r.account, r.region, r.resource_id, str(r.change)) for r in conn.execute(q)]


def _change_counts(conn: Connection, scan_id: str, accounts: Accounts, rule_ids: Iterable[str] | None = None) -> dict[str, int]:
    h, f = finding_history.c, findings.c
    q = (
        select(h.from_status, h.to_status, func.count())
        .select_from(finding_history.join(findings, findings.c.id == h.finding_id))
        .where(h.scan_id == scan_id, in_accounts(f.account, accounts))
        .group_by(h.from_status, h.to_status)
    )
    if rule_ids is not None:
        q = q.where(f.rule_id.in_(list(rule_ids)))
    out = {"new": 0, "reopened": 0, "resolved": 0}
    for frm, to, n in conn.execute(q):
        if to == FindingStatus.NEW.value:
            out["reopened" if frm == FindingStatus.RESOLVED.value else "new"] += int(n)
        elif to == FindingStatus.RESOLVED.value:
            out["resolved"] += int(n)
    return out


def _mapped_rules(conn: Connection, scan_id: str) -> dict[str, set[str]]:
    """standard -> the rules the scan evaluated that map to it."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in conn.execute(select(scan_rules.c.rule_id, scan_rules.c.controls).where(scan_rules.c.scan_id == scan_id)):
        for std, ctl in dict(r.controls or {}).items():
            if ctl:
                out[std].add(r.rule_id)
    return out


def build_overview(
    store: Store,
    *,
    accounts: Accounts = None,
    sla: SlaConfig | None = None,
    rules: RuleSet | None = None,
    now: datetime | None = None,
    days: int = TREND_DAYS,
    top: int = TOP,
) -> Overview:
    """The overview for a reader who sees ``accounts`` (None = all). See the module docstring."""
    now = now or datetime.now(UTC)
    sla = sla or SlaConfig()
    since = now - timedelta(days=days)
    f = findings.c
    with store.engine.connect() as conn:
        statuses = {k: int(n) for k, n in conn.execute(select(f.status, func.count()).where(in_accounts(f.account, accounts)).group_by(f.status))}
        scan_ids = _scope_scans(conn, accounts, 2)
        latest = _scan_brief(conn, scan_ids[0][0], accounts) if scan_ids else None
        std_scores = _scores_of(conn, accounts, since, scan_ids)
        # by account: open findings, overdue, latest scores; worst (severity weight, then lowest baseline) first
        per_acct, od_acct = _open_by_account(conn, accounts, sla, now)
        sev_counts: dict[str, int] = defaultdict(int)
        for counts_ in per_acct.values():
            for sev, n in counts_.items():
                sev_counts[sev] += n
        overdue = sum(od_acct.values())
        names = set(per_acct) | set(latest.accounts if latest is not None else ())
        weight = {a: SeverityCounts.of(c).weight for a, c in per_acct.items()}
        shown = sorted(names, key=lambda a: (-weight.get(a, 0), a))[:top]
        acct_scores = _latest_account_scores(conn, accounts, only=shown)
        trends = _account_trends(conn, shown, "baseline", since)
        by_account = tuple(
            AccountRow(a, SeverityCounts.of(per_acct.get(a, {})), od_acct.get(a, 0), dict(acct_scores.get(a, {})), tuple(trends.get(a, [])))
            for a in shown
        )
        per_type = _open_by(conn, f.resource_type, accounts)
        per_service: dict[str, dict[str, int]] = defaultdict(dict)
        for rt, counts in per_type.items():
            svc = per_service[service_of(rt)]
            for s, n in counts.items():
                svc[s] = svc.get(s, 0) + n
        by_service = tuple(
            sorted((ServiceRow(s, SeverityCounts.of(c)) for s, c in per_service.items()), key=lambda r: (-r.open.weight, -r.open.total, r.service))
        )
        rrows = _rule_rows(conn, accounts, rules)
        root = sorted(rrows, key=lambda r: (-r.findings, -r.accounts, r.rule_id))[:top]
        fixes = sorted(rrows, key=lambda r: (-r.priority, -r.findings, r.rule_id))[:FIXES]
        stored = _titles(conn, [*root, *fixes])
        root = [replace(r, title=stored.get(r.rule_id, r.rule_id)) if not r.title else r for r in root]
        fixes = [replace(r, title=stored.get(r.rule_id, r.rule_id)) if not r.title else r for r in fixes]
        changes = Changes(None)
        drift: list[DriftBrief] = []
        if latest is not None:
            counts = _change_counts(conn, latest.id, accounts)
            items = _briefs(conn, latest.id, accounts, rule_ids=None, limit=top)
            changes = Changes(latest, counts["new"], counts["reopened"], counts["resolved"], tuple(items))
            if len(scan_ids) > 1:
                mapped = _mapped_rules(conn, latest.id)
                prev_at = scan_ids[1][1]
                for ss in std_scores:
                    ids = mapped.get(ss.standard, set())
                    c = _change_counts(conn, latest.id, accounts, ids)
                    worst = _briefs(conn, latest.id, accounts, rule_ids=ids, limit=top) if ids else []
                    drift.append(DriftBrief(ss.standard, ss.title, ss.previous, ss.score, prev_at, c["new"] + c["reopened"], c["resolved"], tuple(worst)))
    shown_titles = {r.rule_id: r.title for r in (*root, *fixes)}
    for d in drift:
        for fb in d.findings:
            shown_titles.setdefault(fb.rule_id, fb.title)
    return Overview(
        generated_at=now, scoped=accounts is not None, accounts=len(names), open=SeverityCounts.of(sev_counts),
        statuses={s.value: statuses.get(s.value, 0) for s in FindingStatus}, overdue=overdue, latest_scan=latest,
        scores=tuple(std_scores), by_account=by_account, by_service=by_service, root_causes=tuple(root), fixes=tuple(fixes),
        changes=changes, drift=tuple(drift), titles=shown_titles,
    )  # fmt: skip


def _scores_of(conn: Connection, accounts: Accounts, since: datetime, scan_ids: list[tuple[str, datetime]]) -> list[StandardScore]:
    series = _standard_scores(conn, accounts, since)
    out = []
    for sid, std in standards().items():
        pts = series.get(sid, [])
        by_scan = {s: v for s, _, v in pts}
        out.append(
            StandardScore(
                sid, std.title,
                by_scan.get(scan_ids[0][0]) if scan_ids else None,
                by_scan.get(scan_ids[1][0]) if len(scan_ids) > 1 else None,
                tuple((t, v) for _, t, v in pts),
            )
        )  # fmt: skip
    return out


def standard_scores(store: Store, *, accounts: Accounts = None, now: datetime | None = None, days: int = TREND_DAYS) -> list[StandardScore]:
    """The score of each standard over the visible accounts: latest, previous and the trend over ``days``."""
    now = now or datetime.now(UTC)
    with store.engine.connect() as conn:
        return _scores_of(conn, accounts, now - timedelta(days=days), _scope_scans(conn, accounts, 2))


# -- the accounts page ---------------------------------------------------------------


@dataclass(frozen=True)
class AccountPage:
    items: tuple[AccountRow, ...]
    next_cursor: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"items": [a.to_dict() for a in self.items], "next_cursor": self.next_cursor}


def account_rows(
    store: Store,
    *,
    accounts: Accounts = None,
    sla: SlaConfig | None = None,
    now: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
    days: int = TREND_DAYS,
) -> AccountPage:
    """Every visible account that has findings or scores, by account id; cursor = the last id of the page before."""
    now = now or datetime.now(UTC)
    sla = sla or SlaConfig()
    f = findings.c
    limit = max(1, min(limit, 500))
    with store.engine.connect() as conn:
        # the next accounts in id order among those with findings, and among those with scores: two index-ordered,
        # limited scans merged here (a UNION would read both tables whole before the LIMIT)
        after = [] if not cursor else [f.account > cursor]
        q1 = select(f.account).where(in_accounts(f.account, accounts), *after).distinct().order_by(f.account).limit(limit + 1)
        c = scores.c
        after2 = [] if not cursor else [c.account > cursor]
        q2 = (
            select(c.account).where(c.category == ALL, c.account != ALL, in_accounts(c.account, accounts), *after2)
            .distinct().order_by(c.account).limit(limit + 1)
        )  # fmt: skip
        names = sorted({r[0] for r in conn.execute(q1)} | {r[0] for r in conn.execute(q2)})[: limit + 1]
        more = len(names) > limit
        names = names[:limit]
        if not names:
            return AccountPage((), None)
        page = frozenset(names)
        per = _open_by(conn, f.account, page)
        od = {a: int(n) for a, n in conn.execute(select(f.account, func.count()).where(overdue_clause(sla, now), in_accounts(f.account, page)).group_by(f.account))}
        sc = _latest_account_scores(conn, page)
        trends = _account_trends(conn, names, "baseline", now - timedelta(days=days))
    items = tuple(AccountRow(a, SeverityCounts.of(per.get(a, {})), od.get(a, 0), dict(sc.get(a, {})), tuple(trends.get(a, []))) for a in names)
    return AccountPage(items, names[-1] if more else None)


def data_version(store: Store) -> tuple[Any, ...]:
    """What the overview is computed from, in two index lookups: the last status change (every change of a
    finding's status writes a history row: scans, imports, suppressions, expiry) and the last scan (scores).
    Equal versions mean an equal overview for the same reader and clock minute, so a server may reuse it."""
    with store.engine.connect() as conn:
        return (conn.scalar(select(func.max(finding_history.c.id))), conn.scalar(select(func.max(scans.c.finished_at))))
