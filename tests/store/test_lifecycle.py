"""The findings lifecycle across scans, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from mamori.findings import FindingFilter, Store
from mamori.model import FindingStatus, Inventory, Resource, ScanError
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import run_scan
from mamori.schema import metadata
from mamori.store.db import current_revisions, head_revisions, script_heads

ACCT = "111122223333"
DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
RULE = """
id: test_volume_unencrypted
title: Volumes are encrypted
severity: high
resource_type: aws.ec2.volume
rationale: Unencrypted volumes expose data to anyone with a snapshot.
remediation: Copy to an encrypted snapshot and restore.
controls: {baseline: ["4.1"]}
fail_when: {path: encrypted, eq: false}
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test_volume_unencrypted.yaml").write_text(RULE)
    return load_rules([d], builtin=False)


def inventory(volumes: dict[str, bool | None], *, day: int, errors: list[ScanError] | None = None) -> Inventory:
    inv = Inventory(
        [Resource("aws", ACCT, "us-east-1", "aws.ec2.volume", v, properties={"encrypted": enc}) for v, enc in volumes.items()],
        errors=errors or [],
        collected_at=DAY1 + timedelta(days=day),
    )
    inv.cover(ACCT, "us-east-1", ["aws.ec2.volume"])
    return inv


def scan(store: Store, rules: RuleSet, inv: Inventory):  # type: ignore[no-untyped-def]
    return run_scan(inv, rules, store=store, now=inv.collected_at).summary


def status(store: Store, resource_id: str) -> FindingStatus:
    [f] = [f for f in store.findings() if f.resource_id == resource_id]
    return f.status


def test_new_open_resolved_reopened(store: Store, rules: RuleSet) -> None:
    s1 = scan(store, rules, inventory({"v-a": False, "v-b": False, "v-c": True}, day=0))
    assert len(s1.new) == 2 and not s1.resolved
    s2 = scan(store, rules, inventory({"v-a": False, "v-b": True, "v-c": True}, day=1))
    assert len(s2.still_open) == 1 and len(s2.resolved) == 1 and not s2.new
    assert status(store, "v-b") is FindingStatus.RESOLVED
    f_a = next(f for f in store.findings() if f.resource_id == "v-a")
    assert f_a.first_seen == DAY1 and f_a.last_seen == DAY1 + timedelta(days=1)
    s3 = scan(store, rules, inventory({"v-a": False, "v-b": False, "v-c": True}, day=2))
    assert len(s3.reopened) == 1 and status(store, "v-b") is FindingStatus.NEW
    history = store.history(next(f.id for f in store.findings() if f.resource_id == "v-b"))
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "NEW"), ("NEW", "RESOLVED"), ("RESOLVED", "NEW")]
    changes = store.scan_changes(s3.scan_id)
    assert changes["reopened"] and not changes["new"]


def test_gone_resource_resolves_only_when_scope_was_clean(store: Store, rules: RuleSet) -> None:
    scan(store, rules, inventory({"v-a": False}, day=0))
    denied = ScanError(ACCT, "us-east-1", "ec2", "DescribeVolumes", "AccessDenied", "denied", ("aws.ec2.volume",))
    s2 = scan(store, rules, inventory({}, day=1, errors=[denied]))
    assert not s2.resolved and status(store, "v-a") is FindingStatus.NEW
    s3 = scan(store, rules, inventory({}, day=2))
    assert len(s3.resolved) == 1 and status(store, "v-a") is FindingStatus.RESOLVED


def test_unknown_keeps_the_finding_open(store: Store, rules: RuleSet) -> None:
    scan(store, rules, inventory({"v-a": False}, day=0))
    s2 = scan(store, rules, inventory({"v-a": None}, day=1))
    assert s2.kept_unknown and not s2.resolved and status(store, "v-a") is FindingStatus.NEW


def test_filters_and_scan_records(store: Store, rules: RuleSet) -> None:
    s1 = scan(store, rules, inventory({"v-a": False, "v-b": False}, day=0))
    assert len(store.findings(FindingFilter(statuses=(FindingStatus.NEW,)))) == 2
    assert store.findings(FindingFilter(rules=("nope",))) == []
    assert store.findings(FindingFilter(resource_types=("aws.ec2.volume",), limit=1))[0].rule_id == "test_volume_unencrypted"
    rec = store.scan(s1.scan_id[:8])
    assert rec is not None and rec.resources == 2 and rec.counts["FAIL"] == 2
    assert store.score_history("baseline")[0][1] == 0.0
    f = store.findings()[0]
    assert store.finding(f.id[:12]) == f


def test_schema_matches_metadata_after_migrations(store: Store) -> None:
    insp = inspect(store.engine)
    for table in metadata.sorted_tables:
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name
    with store.engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()


def test_the_scripts_heads_are_alembics() -> None:
    """migrate() decides "nothing to do" from the scripts' revision lines, without alembic."""
    assert script_heads() == head_revisions()


def test_an_up_to_date_store_opens_without_alembic(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    code = (
        "import sys; from mamori.findings import Store; Store.open(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    first = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True)
    assert "alembic.command" in first.stdout, "a new store is migrated with alembic"
    again = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == "[]"
    with Store.open(str(db)).engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()


def test_two_scans_at_once_do_not_corrupt(store_url: str, rules: RuleSet) -> None:
    stores = [Store.open(store_url), Store.open(store_url)]
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for d in range(3):
                scan(stores[i], rules, inventory({f"v-{n}": n % 2 == 0 for n in range(50)}, day=d))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    fs = stores[0].findings(FindingFilter(statuses=()))
    assert len(fs) == 25 and all(f.status is FindingStatus.NEW for f in fs)
    assert len(stores[0].scans()) == 6
    for s in stores:
        s.close()


def test_bad_store_url_is_a_clear_error(tmp_path: Path) -> None:
    from mamori.errors import StoreError

    with pytest.raises(StoreError, match="cannot"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/nowhere")


def _ext(fid: str, status: FindingStatus = FindingStatus.NEW, day: int = 0, sev: str = "high"):  # type: ignore[no-untyped-def]
    from mamori.model import Finding, Severity

    t = DAY1 + timedelta(days=day)
    return Finding(fid, "guardduty.Recon", "Port probe", Severity(sev), status, "aws.ec2.instance", "i-1", "", ACCT, "us-east-1", {"n": day}, t, t, source="guardduty")


def test_upsert_external_findings_is_idempotent_and_reopens(store: Store) -> None:
    assert store.upsert_findings([_ext("g-1"), _ext("g-2")], actor="import") == {"inserted": 2, "updated": 0, "reopened": 0}
    assert store.upsert_findings([_ext("g-1"), _ext("g-2")], actor="import") == {"inserted": 0, "updated": 2, "reopened": 0}
    assert len(store.findings()) == 2
    store.upsert_findings([_ext("g-1", FindingStatus.RESOLVED, day=1)], actor="import")
    resolved = store.finding("g-1")
    assert resolved is not None and resolved.status is FindingStatus.RESOLVED
    out = store.upsert_findings([_ext("g-1", day=2, sev="critical")], actor="import")
    assert out["reopened"] == 1
    f = store.finding("g-1")
    assert f is not None and f.status is FindingStatus.NEW and f.severity.value == "critical" and f.first_seen == DAY1
    assert [h["to_status"] for h in store.history("g-1")] == ["NEW", "RESOLVED", "NEW"]
