"""Team metrics for the server's Teams page (mamori.gate.metrics), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mamori.config.hub import OwnersConfig
from mamori.errors import InputError
from mamori.gate.deps.check import CheckSettings, check
from mamori.gate.deps.context import RunContext
from mamori.gate.deps.history import open_store
from mamori.gate.deps.kev import sample_kev
from mamori.gate.deps.model import DepsReport
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.policy import Policy
from mamori.gate.metrics import findings_per_owner, gate_runs_page, team_metrics, visible_teams

DAY0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def engine(store_url: str) -> Engine:
    e = open_store(store_url)
    yield e  # type: ignore[misc]
    e.dispose()


def run(engine: Engine, source: LocalOsvSource, root: Path, now: datetime, *, policy: Policy, team: str = "payments",
        project: str = "acme/payments") -> DepsReport:  # fmt: skip
    report, _ = check(root, source, CheckSettings(policy, None, sample_kev(), RunContext(project, team, "c0ffee"), now), store=engine, record=True)
    return report


def test_blocks_fixes_deadlines_and_trend_per_team(engine: Engine, sample_source: LocalOsvSource, tmp_path: Path) -> None:
    pay, search = tmp_path / "pay", tmp_path / "search"
    pay.mkdir()
    search.mkdir()
    policy = Policy.model_validate({"block": {"ids": ["GHSA-8q59-q68h-6hv4"]}})
    (pay / "requirements.txt").write_text("requests==2.19.0\nPyYAML==5.3.1\n")
    assert run(engine, sample_source, pay, DAY0, policy=policy).blocked
    assert run(engine, sample_source, pay, DAY0 + timedelta(days=1), policy=policy).blocked
    (pay / "requirements.txt").write_text("requests==2.31.0\nPyYAML==5.4\n")
    assert not run(engine, sample_source, pay, DAY0 + timedelta(days=4), policy=policy).blocked
    (search / "requirements.txt").write_text("requests==2.19.0\n")
    run(engine, sample_source, search, DAY0 + timedelta(days=8), team="search", project="acme/search", policy=policy)
    (search / "requirements.txt").write_text("requests==2.19.0\nPyYAML==5.3.1\n")
    assert run(engine, sample_source, search, DAY0 + timedelta(days=9), team="search", project="acme/search", policy=policy).blocked

    now = DAY0 + timedelta(days=10)
    m = {t.team: t for t in team_metrics(engine, now, weeks=4)}
    p, s = m["payments"], m["search"]
    assert (p.runs, p.blocked, p.fixes, p.blocked_now) == (3, 2, 1, ())
    assert p.reasons == {"banned": 2} and p.top_blockers == (("PyPI:PyYAML", 2),)
    assert p.median_days_to_fix == pytest.approx(4.0)  # first block on day 0, passing on day 4
    assert p.deadlines == ()  # requests was upgraded: nothing open
    assert (s.runs, s.blocked, s.fixes, s.blocked_now) == (2, 1, 0, ("acme/search",))
    (dl,) = [d for d in s.deadlines if d.package == "requests"]
    assert dl.deadline == date(2026, 6, 8) and dl.days_left == (date(2026, 6, 8) - now.date()).days and not dl.overdue
    weeks = {w.week: (w.runs, w.blocked) for w in p.trend}
    assert weeks[date(2026, 3, 2)] == (3, 2) and sum(r for r, _ in weeks.values()) == 3
    assert {w.week.weekday() for w in p.trend} == {0}
    assert p.to_dict()["block_rate"] == pytest.approx(0.6667)
    # a reader scoped to some accounts sees only the teams owning them
    owners = OwnersConfig(accounts={"111111111111": "search"})
    assert visible_teams(owners, None) is None and visible_teams(owners, frozenset({"111111111111"})) == {"search"}
    assert [t.team for t in team_metrics(engine, now, teams=frozenset({"search"}))] == ["search"]
    assert team_metrics(engine, now, teams=frozenset()) == []
    # the runs list: newest first, keyset cursor
    first = gate_runs_page(engine, limit=2)
    assert [r["project"] for r in first.items] == ["acme/search", "acme/search"] and first.next_cursor
    rest = gate_runs_page(engine, limit=10, cursor=first.next_cursor)
    assert len(rest.items) == 3 and rest.next_cursor is None and {r["team"] for r in rest.items} == {"payments"}
    assert gate_runs_page(engine, teams=frozenset({"payments"})).items[0]["at"] == (DAY0 + timedelta(days=4)).isoformat()
    with pytest.raises(InputError):
        gate_runs_page(engine, cursor="not a cursor")


def test_findings_per_owner_team(store_url: str, tmp_path: Path) -> None:
    from tests.report.conftest import build_store
    from tests.standards.conftest import DEV, PROD

    from mamori.findings import Store
    from mamori.model.finding import FindingMeta

    store, _ = build_store(store_url, tmp_path / "rules")
    try:
        (v3,) = [f for f in store.findings() if f.resource_id == "v3"]
        store.upsert_findings([v3], actor="test", meta={v3.id: FindingMeta(tags={"team": "storage"})}, now=v3.last_seen)
        owners = OwnersConfig(default="security", accounts={DEV: "dev-team"}, tags=[{"key": "team"}])  # type: ignore[list-item]
        rows = {o.owner: o.open for o in findings_per_owner(store.engine, owners)}
        assert rows == {"security": {"critical": 1, "high": 1, "medium": 1}, "dev-team": {"critical": 1, "high": 1}, "storage": {"high": 1}}
        scoped = {o.owner: o.open for o in findings_per_owner(store.engine, owners, accounts=frozenset({DEV}))}
        assert scoped == {"dev-team": {"critical": 1, "high": 1}}
        assert findings_per_owner(store.engine, owners, accounts=frozenset()) == []
        assert PROD  # the other account exists in the store
        assert isinstance(store, Store)
    finally:
        store.close()
