"""Drift: the score then and now, and the findings that moved it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mamori.errors import InputError
from mamori.findings import Store
from mamori.rules import RuleSet
from mamori.scan.service import run_scan
from mamori.standards.drift import drift

from .conftest import DAY1, DEV, estate


@pytest.fixture
def history(store: Store, rules: RuleSet) -> list[str]:
    days = [
        estate(day=0, volumes={"v1": True, "v2": True}, buckets={"b1": False}),
        estate(day=1, volumes={"v1": True, "v2": False}, buckets={"b1": True}),
        estate(day=2, volumes={"v1": True, "v2": False, "v3": False}, buckets={"b1": False}),
    ]
    days[2].merge(estate(day=2, volumes={"d1": False}, account=DEV))
    ids = []
    for inv in days:
        out = run_scan(inv, rules, store=store, now=inv.collected_at)
        assert out.summary is not None
        ids.append(out.summary.scan_id)
    return ids


def rids(items) -> list[str]:  # type: ignore[no-untyped-def]
    return [(i.change, i.finding.resource_id) for i in items]


def test_since_the_previous_scan(store: Store, history: list[str]) -> None:
    d = drift(store, "baseline")
    assert (d.from_scan.id, d.to_scan.id) == (history[1], history[2])
    assert d.score("from") == 25.0 and d.delta is not None and d.score("to") == round(100 * 15 / 30, 1)
    assert rids(d.worsened) == [("new", "v3"), ("new", "d1")] and rids(d.improved) == [("resolved", "b1")]
    assert d.worsened[0].weight == 5 and d.worsened[0].controls == ("4.1",)
    assert d.headline() == "baseline score was 25.0% on 2026-11-02, 50.0% now (+25.0 points); these fixes raised it"


def test_since_a_date_nets_out_what_was_opened_and_fixed(store: Store, history: list[str]) -> None:
    d = drift(store, "baseline", since="2026-11-01")
    assert d.from_scan.id == history[0] and d.score("from") == 100.0
    assert rids(d.worsened) == [("new", "v2"), ("new", "v3"), ("new", "d1")]
    assert d.improved == []  # b1 was opened and fixed in between: no net change
    assert d.headline().endswith("(-50.0 points); these findings caused the drop")
    data = d.to_dict()
    assert data["from"]["scan_id"] == history[0] and data["categories"][3]["from"] == 100.0
    assert data["coverage"]["to"]["machine"] == 2 and data["worsened"][0]["finding"]["resource"]["id"] == "v2"
    older = drift(store, "baseline", since="2026-10-01")
    assert older.from_scan.id == history[0] and "comparing with the first scan" in older.note


def test_by_scan_and_account(store: Store, history: list[str]) -> None:
    d = drift(store, "baseline", scan_id=history[0][:8], account=DEV)
    assert rids(d.worsened) == [("new", "d1")] and d.score("from") is None and d.score("to") == 0.0
    fsbp = drift(store, "fsbp", scan_id=history[0])
    assert {i.finding.rule_id for i in fsbp.worsened} == {"t_volume_unencrypted"}


def test_rules_added_between_scans_are_named(store: Store, rules: RuleSet) -> None:
    fewer = RuleSet(r for r in rules if r.id != "t_bucket_public")
    run_scan(estate(volumes={"v1": True}, buckets={"b1": True}), fewer, store=store, now=DAY1)
    run_scan(estate(day=1, volumes={"v1": True}, buckets={"b1": True}), rules, store=store, now=DAY1 + timedelta(days=1))
    d = drift(store, "baseline")
    assert d.rules_added == ["t_bucket_public"] and d.rules_removed == []
    assert d.delta is not None and d.delta < 0 and rids(d.worsened) == [("new", "b1")]


def test_bad_requests(store: Store, rules: RuleSet) -> None:
    with pytest.raises(InputError, match="at least two stored scans"):
        drift(store, "baseline")
    run_scan(estate(volumes={"v1": True}), rules, store=store, now=DAY1)
    run_scan(estate(day=1, volumes={"v1": True}), rules, store=store, now=DAY1 + timedelta(days=1))
    with pytest.raises(InputError, match="not both"):
        drift(store, "baseline", since="2026-11-01", scan_id="x")
    with pytest.raises(InputError, match="invalid date"):
        drift(store, "baseline", since="yesterday")
    with pytest.raises(InputError, match="no scan with id"):
        drift(store, "baseline", scan_id="ffffffff")
    with pytest.raises(InputError, match="the latest scan itself"):
        drift(store, "baseline", since="2026-12-01")
