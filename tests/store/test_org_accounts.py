"""'account removed' across org scans, on SQLite and PostgreSQL: REMOVED (not RESOLVED), reopened on return."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mamori.findings import Store
from mamori.findings.org import record_org_accounts
from mamori.findings.tables import finding_history, org_accounts
from mamori.model import FindingStatus, Inventory, Resource
from mamori.rules import RuleSet
from mamori.scan.service import run_scan

from .test_lifecycle import DAY1, rules  # noqa: F401  (the rule fixture)

A, B = "111122223333", "444455556666"
ORG = "o-abcd1234"


def inv(enc_by_account: dict[str, bool], day: int) -> Inventory:
    out = Inventory(
        [Resource("aws", a, "us-east-1", "aws.ec2.volume", f"vol-{a}", properties={"encrypted": e}) for a, e in enc_by_account.items()],
        collected_at=DAY1 + timedelta(days=day),
    )
    for a in enc_by_account:
        out.cover(a, "us-east-1", ["aws.ec2.volume"])
    return out


def status(store: Store, account: str) -> FindingStatus:
    [f] = [f for f in store.findings() if f.account == account]
    return f.status


def test_account_that_left_is_removed_not_resolved_and_reopens_on_return(store: Store, rules: RuleSet) -> None:  # noqa: F811
    day1 = run_scan(inv({A: False, B: False}, 0), rules, store=store, now=DAY1)
    assert day1.summary is not None and len(day1.summary.new) == 2
    listing = {A: ("prod", "ACTIVE"), B: ("dev", "ACTIVE")}
    assert record_org_accounts(store.engine, ORG, listing, scan_id=day1.summary.scan_id, now=DAY1) == {}
    # B left the organization: the next scan sees A only
    day2 = run_scan(inv({A: False}, 1), rules, store=store, now=DAY1 + timedelta(days=1))
    assert day2.summary is not None and not day2.summary.resolved
    removed = record_org_accounts(store.engine, ORG, {A: ("prod", "ACTIVE")}, scan_id=day2.summary.scan_id, now=DAY1 + timedelta(days=1))
    assert list(removed) == [B] and len(removed[B]) == 1
    assert status(store, B) is FindingStatus.REMOVED and status(store, A) is FindingStatus.NEW
    with store.engine.connect() as conn:
        [h] = conn.execute(select(finding_history).where(finding_history.c.to_status == "REMOVED")).all()
        assert h.note == f"account removed: {B} left organization {ORG}" and h.from_status == "NEW"
        rows = {r.account: r.removed_at for r in conn.execute(select(org_accounts))}
    assert rows[A] is None and rows[B] is not None
    # not removed twice
    assert record_org_accounts(store.engine, ORG, {A: ("prod", "ACTIVE")}, scan_id=None, now=DAY1 + timedelta(days=2)) == {}
    # B comes back and still fails: the finding reopens
    day3 = run_scan(inv({A: False, B: False}, 3), rules, store=store, now=DAY1 + timedelta(days=3))
    assert day3.summary is not None and day3.summary.reopened == removed[B]
    assert status(store, B) is FindingStatus.NEW
    assert record_org_accounts(store.engine, ORG, listing, scan_id=day3.summary.scan_id, now=DAY1 + timedelta(days=3)) == {}
    with store.engine.connect() as conn:
        assert {r.account: r.removed_at for r in conn.execute(select(org_accounts))} == {A: None, B: None}
