"""Pipeline and team metrics from the store ("people respect what you inspect").

Per team: how many gate runs, how many were blocked and why (which rule: banned, kev,
severity, deadline-passed, unpinned), which packages blocked most, how long
vulnerabilities took from first seen to fixed, how many are open and how many overdue.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from mamori.errors import StoreError
from mamori.gate.deps.tables import gate_runs, gate_vulns

NO_TEAM = "(no team)"


@dataclass(frozen=True)
class TeamStats:
    team: str
    projects: tuple[str, ...]
    runs: int
    blocked: int
    reasons: dict[str, int]
    top_blockers: tuple[tuple[str, int], ...]
    fixed: int
    mean_days_to_fix: float | None
    median_days_to_fix: float | None
    open: int
    overdue: int
    last_run: datetime | None

    @property
    def block_rate(self) -> float:
        return self.blocked / self.runs if self.runs else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "team": self.team,
            "projects": list(self.projects),
            "runs": self.runs,
            "blocked": self.blocked,
            "block_rate": round(self.block_rate, 4),
            "reasons": self.reasons,
            "top_blockers": [{"package": p, "runs": n} for p, n in self.top_blockers],
            "fixed": self.fixed,
            "mean_days_to_fix": None if self.mean_days_to_fix is None else round(self.mean_days_to_fix, 2),
            "median_days_to_fix": None
            if self.median_days_to_fix is None
            else round(self.median_days_to_fix, 2),
            "open": self.open,
            "overdue": self.overdue,
            "last_run": self.last_run.isoformat() if self.last_run else None,
        }


def team_stats(
    engine: Engine,
    now: datetime,
    *,
    since: datetime | None = None,
    team: str | None = None,
    project: str | None = None,
) -> list[TeamStats]:
    """One TeamStats per team that has runs (or vulnerabilities) in the window."""
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("gate_runs"):
                return []
            q = select(gate_runs)
            v = select(gate_vulns)
            if since is not None:
                q = q.where(gate_runs.c.at >= since)
            if team is not None:
                q, v = q.where(gate_runs.c.team == team), v.where(gate_vulns.c.team == team)
            if project is not None:
                q, v = q.where(gate_runs.c.project == project), v.where(gate_vulns.c.project == project)
            runs = list(conn.execute(q).mappings())
            vulns = list(conn.execute(v).mappings())
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the gate history: {exc}") from exc
    teams = sorted({r["team"] for r in runs} | {r["team"] for r in vulns})
    out = []
    for t in teams:
        trs = [r for r in runs if r["team"] == t]
        tvs = [r for r in vulns if r["team"] == t]
        reasons: Counter[str] = Counter()
        blockers: Counter[str] = Counter()
        for r in trs:
            if not r["blocked"]:
                continue
            blocking = [x for x in r["reasons"] or () if x.get("verdict") == "BLOCK"]
            reasons.update({x.get("rule", "?") for x in blocking})
            blockers.update({f"{x.get('ecosystem')}:{x.get('package')}" for x in blocking})
        fixed = [r for r in tvs if r["fixed_at"] is not None and (since is None or r["fixed_at"] >= since)]
        days = [(r["fixed_at"] - r["first_seen"]).total_seconds() / 86400 for r in fixed]
        open_rows = [r for r in tvs if r["fixed_at"] is None]
        out.append(
            TeamStats(
                team=t or NO_TEAM,
                projects=tuple(sorted({r["project"] for r in trs} | {r["project"] for r in tvs})),
                runs=len(trs),
                blocked=sum(1 for r in trs if r["blocked"]),
                reasons=dict(reasons.most_common()),
                top_blockers=tuple(blockers.most_common(5)),
                fixed=len(fixed),
                mean_days_to_fix=statistics.fmean(days) if days else None,
                median_days_to_fix=statistics.median(days) if days else None,
                open=len(open_rows),
                overdue=sum(1 for r in open_rows if r["deadline"] is not None and r["deadline"] < now.date()),
                last_run=max((r["at"] for r in trs), default=None),
            )
        )
    return out
