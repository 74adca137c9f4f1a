"""A store with three scans over two accounts, an attestation, and the report rendered from it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mamori.config import Config
from mamori.findings import Store
from mamori.report import ReportData, gather, render
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import run_scan
from mamori.standards.store import StandardsStore

from ..standards.conftest import DAY1, DEV, estate, mamori, write_rules

__all__ = ["mamori"]  # the in-process CLI runner, shared with tests/standards

NOW = DAY1 + timedelta(days=2, hours=1)


def build_store(url: str, rules_dir: Path) -> tuple[Store, RuleSet]:
    rules = load_rules([write_rules(rules_dir)], builtin=False)
    store = Store.open(url)
    days = [
        estate(day=0, volumes={"v1": True, "v2": True}, buckets={"b1": False}, users={"u1": False}),
        estate(day=1, volumes={"v1": True, "v2": False}, buckets={"b1": True}, users={"u1": False}),
        estate(day=2, volumes={"v1": True, "v2": False, "v3": False}, buckets={"b1": False, "b2": True}, users={"u1": True}),
    ]
    days[2].merge(estate(day=2, volumes={"d1": False, "d2": True}, buckets={"evil</script><b>x": True}, account=DEV))
    for inv in days:
        run_scan(inv, rules, store=store, now=inv.collected_at)
    StandardsStore(store.engine).attest(
        standard="baseline", control="6.1", by="alice@example.com", evidence="https://wiki.example.com/ir-plan",
        expires_at=NOW + timedelta(days=365), now=NOW - timedelta(minutes=5),
    )  # fmt: skip
    return store, rules


@pytest.fixture(scope="module")
def report_data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    tmp = tmp_path_factory.mktemp("report")
    store, rules = build_store(f"sqlite:///{tmp}/m.db", tmp / "rules")
    try:
        return gather(store, rules, Config(), now=NOW, title="ACME <prod> report")
    finally:
        store.close()


@pytest.fixture(scope="module")
def report_file(report_data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("html") / "report.html"
    p.write_text(render(report_data), encoding="utf-8")
    return p
