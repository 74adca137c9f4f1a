"""Recording gate runs and the fix-by clock, and `gate stats`, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select

from mamori.gate.deps.check import CheckSettings, check
from mamori.gate.deps.context import RunContext
from mamori.gate.deps.history import open_store
from mamori.gate.deps.kev import sample_kev
from mamori.gate.deps.model import DepsReport, Verdict
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.policy import DEFAULT_POLICY, Policy
from mamori.gate.deps.stats import team_stats
from mamori.gate.deps.tables import gate_runs, gate_vulns
from mamori.schema import metadata

DAY0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def engine(store_url: str) -> Engine:
    e = open_store(store_url)
    yield e  # type: ignore[misc]
    e.dispose()


def run(engine: Engine, source: LocalOsvSource, root: Path, now: datetime, *, team: str = "payments",
        project: str = "acme/payments", policy: Policy = DEFAULT_POLICY, record: bool = True) -> DepsReport:  # fmt: skip
    settings = CheckSettings(policy, None, sample_kev(), RunContext(project, team, "c0ffee"), now)
    report, _ = check(root, source, settings, store=engine, record=record)
    return report


def verdict_of(report: DepsReport, name: str) -> tuple[Verdict, date | None]:
    p = next(p for p in report.packages if p.package.name == name)
    return p.verdict, p.deadline


def test_the_migration_creates_exactly_the_gate_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    gate = [d for d in diffs if "gate_" in repr(d)]
    assert gate == []


def test_the_fix_by_clock_survives_runs_and_upgrades(engine: Engine, sample_source: LocalOsvSource,
                                                     tmp_path: Path) -> None:  # fmt: skip
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.19.0\nurllib3==1.26.5\n")
    first = run(engine, sample_source, tmp_path, DAY0)
    assert verdict_of(first, "requests") == (Verdict.FIX_BY, date(2026, 5, 31))  # medium: 90 days
    # 20 days later, and after an upgrade to another vulnerable version: the same deadline
    req.write_text("requests==2.25.0\nurllib3==1.26.5\n")
    later = run(engine, sample_source, tmp_path, DAY0 + timedelta(days=20))
    assert verdict_of(later, "requests") == (Verdict.FIX_BY, date(2026, 5, 31))
    assert later.exit_code == 0
    # the day after the deadline the pipeline is blocked
    late = run(engine, sample_source, tmp_path, DAY0 + timedelta(days=91))
    assert verdict_of(late, "requests")[0] is Verdict.BLOCK
    assert late.exit_code == 1
    with engine.connect() as conn:
        rows = conn.execute(select(gate_vulns).order_by(gate_vulns.c.package)).mappings().all()
        assert [(r["package"], r["vuln_id"], r["first_seen"]) for r in rows] == [
            ("requests", "GHSA-j8r2-6x86-q33q", DAY0), ("urllib3", "GHSA-v845-jxx5-vc9f", DAY0)]  # fmt: skip
        assert rows[0]["version"] == "2.25.0" and rows[0]["deadline"] == date(2026, 5, 31)
        assert set(rows[0]["aliases"]) == {"PYSEC-2023-74", "CVE-2023-32681"}
        assert conn.execute(select(func.count()).select_from(gate_runs)).scalar() == 3


def test_another_project_has_its_own_clock(
    engine: Engine, sample_source: LocalOsvSource, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    run(engine, sample_source, tmp_path, DAY0)
    other = run(engine, sample_source, tmp_path, DAY0 + timedelta(days=100), project="acme/other")
    assert verdict_of(other, "requests") == (Verdict.FIX_BY, (DAY0 + timedelta(days=190)).date())


def test_no_record_reads_the_clock_but_writes_nothing(engine: Engine, sample_source: LocalOsvSource,
                                                     tmp_path: Path) -> None:  # fmt: skip
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    run(engine, sample_source, tmp_path, DAY0)
    dry = run(engine, sample_source, tmp_path, DAY0 + timedelta(days=95), record=False)
    assert verdict_of(dry, "requests")[0] is Verdict.BLOCK
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(gate_runs)).scalar() == 1


def test_fixed_incomplete_runs_and_stats(
    engine: Engine, sample_source: LocalOsvSource, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.txt"
    policy = Policy.model_validate({"block": {"ids": ["GHSA-8q59-q68h-6hv4"]}})
    req.write_text("requests==2.19.0\nPyYAML==5.3.1\n")
    assert run(engine, sample_source, tmp_path, DAY0, policy=policy).blocked
    # an unreadable lockfile makes the run incomplete: nothing is marked fixed
    req.write_text("requests==2.31.0\nPyYAML==5.4\n")
    (tmp_path / "poetry.lock").write_text("[[package]\n")
    broken = run(engine, sample_source, tmp_path, DAY0 + timedelta(days=2), policy=policy)
    assert broken.exit_code == 2 and broken.errors
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(gate_vulns.c.fixed_at.is_not(None))).scalar() == 0
    (tmp_path / "poetry.lock").unlink()
    fixed = run(engine, sample_source, tmp_path, DAY0 + timedelta(days=4), policy=policy)
    assert fixed.exit_code == 0
    run(engine, sample_source, tmp_path, DAY0 + timedelta(days=5), team="search", project="acme/search")
    with engine.connect() as conn:
        rows = conn.execute(select(gate_vulns.c.package, gate_vulns.c.fixed_at)).all()
    assert {r.package: r.fixed_at for r in rows} == {"requests": DAY0 + timedelta(days=4),
                                                    "pyyaml": DAY0 + timedelta(days=4)}  # fmt: skip

    stats = {s.team: s for s in team_stats(engine, DAY0 + timedelta(days=6))}
    pay = stats["payments"]
    assert (pay.runs, pay.blocked, pay.fixed, pay.open) == (3, 1, 2, 0)
    assert pay.reasons == {"banned": 1}
    assert pay.top_blockers == (("PyPI:PyYAML", 1),)
    assert pay.median_days_to_fix == pytest.approx(4.0)
    assert pay.block_rate == pytest.approx(1 / 3)
    assert stats["search"].runs == 1 and stats["search"].blocked == 0
    assert [s.team for s in team_stats(engine, DAY0, team="search")] == ["search"]
    recent = team_stats(engine, DAY0 + timedelta(days=6), since=DAY0 + timedelta(days=3))
    assert {s.team: s.runs for s in recent} == {"payments": 1, "search": 1}


def test_overdue_vulnerabilities_are_counted(
    engine: Engine, sample_source: LocalOsvSource, tmp_path: Path
) -> None:
    (tmp_path / "requirements.txt").write_text("PyYAML==5.3.1\n")  # critical: 7 days
    # the fix-by clock of a critical (the default policy blocks a critical with a fix at once)
    no_crit = Policy.model_validate({"block": {"critical_with_fix": False}})
    run(engine, sample_source, tmp_path, DAY0, policy=no_crit)
    (s,) = team_stats(engine, DAY0 + timedelta(days=30))
    assert (s.open, s.overdue) == (1, 1)
    (s,) = team_stats(engine, DAY0 + timedelta(days=3))
    assert (s.open, s.overdue) == (1, 0)
