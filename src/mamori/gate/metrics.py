"""Team metrics for the server's Teams page: the pipeline gates per team, and findings per owner team.

Per team (from ``gate_runs`` / ``gate_vulns``, written by ``mamori gate deps``):

* how often its pipelines ran and were blocked, and why (the policy rule of each blocking
  package: banned, kev, severity, deadline-passed, unpinned)
* time from first block to fix: a project's pipeline is blocked at its first blocked run
  and fixed at the next run that passes (exit 0; an incomplete run fixes nothing); the median and mean of those spans (a project
  still blocked counts as ``blocked_now``)
* open FIX BY deadlines: vulnerabilities still present whose deadline is set, soonest first
* the trend: runs and blocked runs per ISO week over the last ``weeks`` weeks

Findings per owner team: open findings by severity per owner, the owner as the findings
pages compute it (:func:`mamori.hub.page.owner_expr`: the assigned owner, else tag rules,
the account mapping, the default), restricted to the visible accounts in SQL.

Gate runs are not tied to cloud accounts. A reader scoped to some accounts
(``accounts`` a frozenset) sees the gate metrics of the teams that own one of those
accounts in ``owners.accounts`` only (:func:`visible_teams`); ``None`` = every team.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, false, func, inspect, or_, select, true
from sqlalchemy.exc import SQLAlchemyError

from mamori.config.hub import OwnersConfig
from mamori.errors import InputError, StoreError
from mamori.findings.tables import findings
from mamori.gate.deps.tables import gate_runs, gate_vulns
from mamori.hub.page import joined, owner_expr
from mamori.model.finding import FindingStatus, Severity

NO_TEAM = "(no team)"
OPEN = tuple(s.value for s in FindingStatus if s.is_open)
SEVERITIES = tuple(s.value for s in Severity)


def visible_teams(owners: OwnersConfig, accounts: frozenset[str] | None) -> frozenset[str] | None:
    """The teams a reader scoped to ``accounts`` may see: owners of those accounts (None = all teams)."""
    if accounts is None:
        return None
    return frozenset(team for acct, team in owners.accounts.items() if acct in accounts)


def _team_in(col: Any, teams: frozenset[str] | None) -> Any:
    if teams is None:
        return true()
    if not teams:
        return false()
    return col.in_(sorted(teams))


@dataclass(frozen=True)
class Deadline:
    project: str
    ecosystem: str
    package: str
    vuln_id: str
    severity: str | None
    deadline: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project, "ecosystem": self.ecosystem, "package": self.package, "vuln_id": self.vuln_id,
            "severity": self.severity, "deadline": self.deadline.isoformat(), "days_left": self.days_left, "overdue": self.overdue,
        }  # fmt: skip


@dataclass(frozen=True)
class WeekPoint:
    week: date  # the Monday
    runs: int
    blocked: int

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week.isoformat(), "runs": self.runs, "blocked": self.blocked}


@dataclass(frozen=True)
class TeamMetrics:
    team: str
    projects: tuple[str, ...]
    runs: int
    blocked: int
    reasons: dict[str, int]  # policy rule -> blocked runs it blocked
    top_blockers: tuple[tuple[str, int], ...]  # ecosystem:package -> blocked runs
    fixes: int  # blocked spans that ended with a passing run
    median_days_to_fix: float | None
    mean_days_to_fix: float | None
    blocked_now: tuple[str, ...]  # projects whose latest run was blocked
    deadlines: tuple[Deadline, ...]  # open FIX BY deadlines, soonest first
    trend: tuple[WeekPoint, ...]
    last_run: datetime | None

    @property
    def block_rate(self) -> float:
        return self.blocked / self.runs if self.runs else 0.0

    @property
    def overdue(self) -> int:
        return sum(1 for d in self.deadlines if d.overdue)

    def to_dict(self) -> dict[str, Any]:
        return {
            "team": self.team, "projects": list(self.projects), "runs": self.runs, "blocked": self.blocked,
            "block_rate": round(self.block_rate, 4), "reasons": self.reasons,
            "top_blockers": [{"package": p, "runs": n} for p, n in self.top_blockers],
            "fixes": self.fixes,
            "median_days_to_fix": None if self.median_days_to_fix is None else round(self.median_days_to_fix, 2),
            "mean_days_to_fix": None if self.mean_days_to_fix is None else round(self.mean_days_to_fix, 2),
            "blocked_now": list(self.blocked_now), "open_deadlines": len(self.deadlines), "overdue": self.overdue,
            "deadlines": [d.to_dict() for d in self.deadlines],
            "trend": [w.to_dict() for w in self.trend],
            "last_run": self.last_run.isoformat() if self.last_run else None,
        }  # fmt: skip


def _monday(t: datetime) -> date:
    d = t.date()
    return d - timedelta(days=d.weekday())


def team_metrics(engine: Engine, now: datetime, *, teams: frozenset[str] | None = None, weeks: int = 12) -> list[TeamMetrics]:
    """One TeamMetrics per visible team with runs in the window or open deadlines, by team name."""
    since = now - timedelta(weeks=weeks)
    r, v = gate_runs.c, gate_vulns.c
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("gate_runs"):
                return []
            runs = list(
                conn.execute(
                    select(r.id, r.at, r.project, r.team, r.blocked, r.exit_code, r.reasons)
                    .where(r.at >= since, _team_in(r.team, teams))
                    .order_by(r.project, r.at, r.id)
                ).mappings()
            )
            vulns = list(
                conn.execute(
                    select(v.project, v.team, v.ecosystem, v.package, v.vuln_id, v.severity, v.deadline)
                    .where(v.fixed_at.is_(None), v.deadline.is_not(None), _team_in(v.team, teams))
                    .order_by(v.deadline, v.project, v.package, v.vuln_id)
                ).mappings()
            )
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the gate history: {exc}") from exc
    by_team: dict[str, list[Any]] = defaultdict(list)
    for row in runs:
        by_team[row["team"]].append(row)
    dl_by_team: dict[str, list[Deadline]] = defaultdict(list)
    for row in vulns:
        dl = row["deadline"]
        dl_by_team[row["team"]].append(
            Deadline(row["project"], row["ecosystem"], row["package"], row["vuln_id"], row["severity"], dl, (dl - now.date()).days)
        )
    first_week = _monday(since)
    out = []
    for team in sorted(set(by_team) | set(dl_by_team)):
        trs = by_team.get(team, [])
        reasons: Counter[str] = Counter()
        blockers: Counter[str] = Counter()
        spans: list[float] = []
        blocked_now: list[str] = []
        start: dict[str, datetime] = {}
        last: dict[str, bool] = {}
        weekly: dict[date, list[int]] = {first_week + timedelta(weeks=i): [0, 0] for i in range(weeks + 1)}
        for row in trs:  # ordered by project, time
            w = weekly.setdefault(_monday(row["at"]), [0, 0])
            w[0] += 1
            proj = row["project"]
            if row["blocked"]:
                w[1] += 1
                blocking = [x for x in row["reasons"] or () if isinstance(x, dict) and x.get("verdict") == "BLOCK"]
                reasons.update({str(x.get("rule", "?")) for x in blocking})
                blockers.update({f"{x.get('ecosystem')}:{x.get('package')}" for x in blocking})
                start.setdefault(proj, row["at"])
            elif proj in start and row["exit_code"] == 0:  # a run that could not read a lockfile fixes nothing
                spans.append((row["at"] - start.pop(proj)).total_seconds() / 86400)
            last[proj] = bool(row["blocked"])
        blocked_now = sorted(p for p, b in last.items() if b)
        out.append(
            TeamMetrics(
                team=team or NO_TEAM,
                projects=tuple(sorted({row["project"] for row in trs} | {d.project for d in dl_by_team.get(team, [])})),
                runs=len(trs),
                blocked=sum(1 for row in trs if row["blocked"]),
                reasons=dict(reasons.most_common()),
                top_blockers=tuple(blockers.most_common(5)),
                fixes=len(spans),
                median_days_to_fix=statistics.median(spans) if spans else None,
                mean_days_to_fix=statistics.fmean(spans) if spans else None,
                blocked_now=tuple(blocked_now),
                deadlines=tuple(dl_by_team.get(team, [])),
                trend=tuple(WeekPoint(k, n, b) for k, (n, b) in sorted(weekly.items()) if k >= first_week),
                last_run=max((row["at"] for row in trs), default=None),
            )
        )
    return out


# -- the gate runs list ----------------------------------------------------------------


@dataclass(frozen=True)
class GateRunPage:
    items: tuple[dict[str, Any], ...]
    next_cursor: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"items": list(self.items), "next_cursor": self.next_cursor}


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    at, _, rid = cursor.partition("|")
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        raise InputError("invalid cursor: pass back the next_cursor of the page before") from None
    if not rid or t.tzinfo is None:
        raise InputError("invalid cursor: pass back the next_cursor of the page before")
    return t, rid


def gate_runs_page(
    engine: Engine,
    *,
    teams: frozenset[str] | None = None,
    team: str | None = None,
    project: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> GateRunPage:
    """Gate runs, newest first, keyset-paged (``cursor`` = the last item's ``at|id``)."""
    r = gate_runs.c
    limit = max(1, min(limit, 500))
    q = select(gate_runs).where(_team_in(r.team, teams)).order_by(r.at.desc(), r.id.desc()).limit(limit + 1)
    if team is not None:
        q = q.where(r.team == team)
    if project is not None:
        q = q.where(r.project == project)
    if cursor:
        at, rid = _parse_cursor(cursor)
        q = q.where(or_(r.at < at, and_(r.at == at, r.id < rid)))
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("gate_runs"):
                return GateRunPage((), None)
            rows = [dict(x) for x in conn.execute(q).mappings()]
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the gate history: {exc}") from exc
    more = len(rows) > limit
    rows = rows[:limit]
    items = tuple(
        {
            "id": x["id"], "at": x["at"].isoformat(), "project": x["project"], "team": x["team"] or NO_TEAM, "commit": x["commit"],
            "blocked": bool(x["blocked"]), "exit_code": x["exit_code"], "counts": x["counts"], "reasons": x["reasons"],
        }  # fmt: skip
        for x in rows
    )
    nxt = f"{rows[-1]['at'].isoformat()}|{rows[-1]['id']}" if more and rows else None
    return GateRunPage(items, nxt)


# -- findings per owner team -------------------------------------------------------------


@dataclass(frozen=True)
class OwnerRow:
    owner: str
    open: dict[str, int]  # severity -> open findings

    @property
    def total(self) -> int:
        return sum(self.open.values())

    def to_dict(self) -> dict[str, Any]:
        return {"owner": self.owner, "open": {**{s: self.open.get(s, 0) for s in SEVERITIES}, "total": self.total}}


def findings_per_owner(engine: Engine, owners: OwnersConfig, *, accounts: frozenset[str] | None = None) -> list[OwnerRow]:
    """Open findings by severity per owner team, most first: one grouped query.

    The owner is the findings pages' (:func:`mamori.hub.page.owner_expr`): the assigned owner,
    else the first matching tag rule, the account mapping, the default.
    """
    if accounts is not None and not accounts:
        return []
    f = findings.c
    acct = true() if accounts is None else f.account.in_(sorted(accounts))
    owner = owner_expr(owners).label("owner")
    q = select(owner, f.severity, func.count()).select_from(joined()).where(f.status.in_(OPEN), acct).group_by(owner, f.severity)
    acc: dict[str, dict[str, int]] = defaultdict(dict)
    try:
        with engine.connect() as conn:
            for team, sev, n in conn.execute(q):
                acc[str(team)][sev] = acc[str(team)].get(sev, 0) + int(n)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot count findings per owner: {exc}") from exc
    return sorted((OwnerRow(o, c) for o, c in acc.items()), key=lambda o: (-o.total, o.owner))
