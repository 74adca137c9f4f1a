"""The overview data model (shared by the server's Overview page and the HTML report), on SQLite and PostgreSQL.

The store (tests/report/conftest.py): three scans of PROD, the last one also of DEV.
Open after the last scan: PROD v2, v3 (high, volumes), b2 (critical, bucket), u1 (medium,
user); DEV d1 (high), ``evil</script><b>x`` (critical). b1 was fixed in the last scan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.config.hub import SlaConfig
from mamori.findings import Store
from mamori.report.overview import account_rows, build_overview, service_of
from mamori.standards.view import score_rows

from ..standards.conftest import DEV, PROD
from .conftest import NOW, build_store


@pytest.fixture
def built(store_url: str, tmp_path: Path) -> tuple[Store, object]:
    store, rules = build_store(store_url, tmp_path / "rules")
    yield store, rules  # type: ignore[misc]
    store.close()


def test_overview_of_everything_and_of_one_group(built: tuple[Store, object]) -> None:
    store, rules = built
    ov = build_overview(store, rules=rules, now=NOW, sla=SlaConfig(high=1))  # type: ignore[arg-type]
    # counts at the top
    assert ov.open.to_dict() == {"critical": 2, "high": 3, "medium": 1, "low": 0, "informational": 0, "total": 6}
    assert ov.statuses["RESOLVED"] == 1 and ov.overdue == 1  # v2: high, first seen a day and an hour ago
    assert ov.accounts == 2 and not ov.scoped
    # scores: the stored all-accounts row, latest and previous, three points of trend
    latest = store.scans(2)
    stored = score_rows(store, latest[0].id, "baseline", "*")["*"].score
    base = next(s for s in ov.scores if s.standard == "baseline")
    assert base.score == stored and len(base.points) == 3
    assert base.previous == score_rows(store, latest[1].id, "baseline", "*")["*"].score
    # fixes ordered by severity x count, with rule titles and how to fix
    assert [(f.rule_id, f.priority) for f in ov.fixes] == [("t_bucket_public", 20), ("t_volume_unencrypted", 15), ("t_user_shared", 3)]
    assert ov.fixes[0].title == "Buckets are not public" and ov.fixes[0].remediation.startswith("Turn on S3 Block Public Access")
    r0 = ov.root_causes[0]
    assert (r0.rule_id, r0.findings, r0.accounts) == ("t_volume_unencrypted", 3, 2)
    # breakdown by service and by account (worst first)
    assert [(s.service, s.open.total) for s in ov.by_service] == [("s3", 2), ("ec2", 3), ("iam", 1)]
    assert [a.account for a in ov.by_account] == [PROD, DEV]
    prod = ov.by_account[0]
    assert prod.open.total == 4 and prod.overdue == 1 and len(prod.trend) == 3
    assert prod.scores["baseline"] == score_rows(store, latest[0].id, "baseline", PROD)["*"].score
    # what changed in the last scan, and the drift per standard
    assert (ov.changes.new, ov.changes.reopened, ov.changes.resolved) == (5, 0, 1)
    assert ov.changes.items[0].severity == "critical"
    drift = {d.standard: d for d in ov.drift}
    assert {f.resource_id for f in drift["baseline"].findings} == {"v3", "b2", "u1", "d1", "evil</script><b>x"}
    assert {f.resource_id for f in drift["cis-aws-3.0"].findings} == {"v3", "d1"}
    assert drift["baseline"].was == base.previous and drift["baseline"].now == base.score
    if base.delta is not None and base.delta < 0:
        assert drift["baseline"].headline().endswith("these findings caused it")
    # one group: nothing of the other account, scores re-aggregated from its own rows
    dev = build_overview(store, accounts=frozenset({DEV}), rules=rules, now=NOW, sla=SlaConfig(high=1))  # type: ignore[arg-type]
    assert dev.scoped and dev.open.to_dict()["total"] == 2 and dev.overdue == 0 and dev.statuses["RESOLVED"] == 0
    assert [a.account for a in dev.by_account] == [DEV] and dev.latest_scan is not None and dev.latest_scan.accounts == (DEV,)
    dev_base = next(s for s in dev.scores if s.standard == "baseline")
    assert dev_base.score == score_rows(store, latest[0].id, "baseline", DEV)["*"].score and len(dev_base.points) == 1
    assert (dev.changes.new, dev.changes.resolved) == (2, 0)
    assert PROD not in str(dev.to_dict())
    # both accounts named explicitly: the re-aggregated score is the stored all-accounts score
    both = build_overview(store, accounts=frozenset({DEV, PROD}), rules=rules, now=NOW)  # type: ignore[arg-type]
    assert [(s.standard, s.score) for s in both.scores] == [(s.standard, s.score) for s in ov.scores]
    # an empty group sees nothing at all
    none = build_overview(store, accounts=frozenset(), rules=rules, now=NOW)  # type: ignore[arg-type]
    assert none.open.total == 0 and none.latest_scan is None and none.accounts == 0 and not none.by_account
    assert all(s.score is None and not s.points for s in none.scores)


def test_account_pages(built: tuple[Store, object]) -> None:
    store, _ = built
    first = account_rows(store, now=NOW, limit=1)
    assert [a.account for a in first.items] == [PROD] and first.next_cursor == PROD
    second = account_rows(store, now=NOW, limit=1, cursor=first.next_cursor)
    assert [a.account for a in second.items] == [DEV] and second.next_cursor is None
    everything = account_rows(store, now=NOW)
    assert {a.account for a in everything.items} == {PROD, DEV} and everything.next_cursor is None
    assert [a.account for a in account_rows(store, accounts=frozenset({DEV}), now=NOW).items] == [DEV]
    assert account_rows(store, accounts=frozenset(), now=NOW).items == ()


def test_without_rules_titles_come_from_the_findings(tmp_path: Path) -> None:
    store, _ = build_store(f"sqlite:///{tmp_path}/m.db", tmp_path / "rules")
    try:
        ov = build_overview(store, now=NOW)
    finally:
        store.close()
    assert ov.titles["t_volume_unencrypted"] == "Volumes are encrypted" and ov.fixes[0].remediation == ""


def test_service_of() -> None:
    assert service_of("aws.s3.bucket") == "s3" and service_of("AwsEc2Instance") == "AwsEc2Instance"
