"""Per-scan standards data, attestations and their audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect

from mamori import audit
from mamori.errors import InputError
from mamori.findings import Store
from mamori.rules import RuleSet
from mamori.scan.service import run_scan
from mamori.standards.score import ALL
from mamori.standards.status import ControlStatus, RuleCount
from mamori.standards.store import StandardsStore
from mamori.standards.tables import attestations, coverage, rule_counts, scan_rules
from mamori.standards.view import standard_view

from .conftest import DAY1, DEV, PROD, estate


def test_tables_exist_after_migration(store: Store) -> None:
    insp = inspect(store.engine)
    for t in (scan_rules, rule_counts, coverage, attestations):
        assert {c["name"] for c in insp.get_columns(t.name)} == {c.name for c in t.columns}


def test_scan_records_rule_counts_and_coverage(store: Store, rules: RuleSet) -> None:
    inv = estate(volumes={"v1": True, "v2": False}, buckets={"b1": False})
    inv.merge(estate(volumes={"v3": True}, account=DEV))
    out = run_scan(inv, rules, store=store, now=DAY1)
    assert out.summary is not None
    ss = StandardsStore(store.engine)
    sid = out.summary.scan_id
    assert ss.rule_counts(sid) == [
        RuleCount("t_bucket_public", PROD, 1, 0, 0),
        RuleCount("t_volume_unencrypted", PROD, 1, 1, 0),
        RuleCount("t_volume_unencrypted", DEV, 1, 0, 0),
    ]
    sr = ss.scan_rules(sid)
    assert sr.severity == {"t_bucket_public": "critical", "t_user_shared": "medium", "t_volume_unencrypted": "high"}
    assert sr.controls["t_volume_unencrypted"] == {"baseline": ["4.1"], "cis-aws-3.0": ["2.2.1"], "fsbp": ["EC2.3"]}
    stored = ss.coverage(sid)
    assert stored == sorted(out.coverage, key=lambda r: (r.standard, r.account, r.category))
    per_acct = {r.account: r for r in stored if r.standard == "baseline" and r.category == ALL}
    assert set(per_acct) == {ALL, PROD, DEV}
    assert (per_acct[PROD].failing, per_acct[DEV].failing, per_acct[DEV].passing) == (1, 0, 1)


def test_history_is_exact_when_attestations_and_rules_change(store: Store, rules: RuleSet) -> None:
    s1 = run_scan(estate(volumes={"v1": True}), rules, store=store, now=DAY1).summary
    ss = StandardsStore(store.engine)
    a = ss.attest(standard="baseline", control="6.1", by="alice", evidence="https://wiki/ir-plan", expires_at=DAY1 + timedelta(days=30), now=DAY1 + timedelta(hours=1))
    s2 = run_scan(estate(day=1, volumes={"v1": True}), RuleSet(r for r in rules if r.id != "t_bucket_public"), store=store, now=DAY1 + timedelta(days=1)).summary
    assert s1 and s2
    hist = ss.coverage_history("baseline")
    assert [(sid, row.attested, row.machine) for sid, _, row in hist] == [(s1.scan_id, 0, 2), (s2.scan_id, 1, 1)]
    # a past scan shows attestations and rules as they were then
    past = standard_view(store, "baseline", rules=rules, scan_id=s1.scan_id[:8], now=DAY1 + timedelta(days=2))
    states = {s.control.id: s for s in past.states}
    assert states["6.1"].status is ControlStatus.NOT_COVERED and states["2.5"].rules == ("t_bucket_public",)
    now = standard_view(store, "baseline", rules=rules, now=DAY1 + timedelta(days=2))
    states = {s.control.id: s for s in now.states}
    assert states["6.1"].status is ControlStatus.ATTESTED and states["6.1"].attestation == a
    assert states["2.5"].coverage.value == "not covered"  # the latest scan ran without that rule
    assert now.explain() == "baseline: 100.0% of machine-checked weight passing; 1 of 26 items checked by machine, 1 attested, 24 not covered"
    later = standard_view(store, "baseline", rules=rules, now=DAY1 + timedelta(days=31))
    assert {s.control.id: s for s in later.states}["6.1"].note == f"attestation {a.id} by alice expired"


def test_attest_revoke_and_audit(store: Store) -> None:
    ss = StandardsStore(store.engine)
    a = ss.attest(standard="baseline", control="6.2", by="bob", evidence="drill 2026-10-14", expires_at=DAY1 + timedelta(days=90), recorded_by="ops", now=DAY1)
    b = ss.attest(standard="cis-aws-3.0", control="1.1", account=PROD, by="carol", evidence="contacts page", expires_at=DAY1 + timedelta(days=9), now=DAY1)
    assert [x.id for x in ss.attestations()] in ([a.id, b.id], [b.id, a.id])
    assert ss.attestations(standard="cis-aws-3.0") == [b]
    assert ss.attestations(active_at=DAY1 + timedelta(days=10)) == [a]
    r = ss.revoke(a.id[:6], by="alice", reason="plan retired", now=DAY1 + timedelta(days=1))
    assert r.revoked_by == "alice" and r.revoked_at == DAY1 + timedelta(days=1)
    assert ss.attestations(active_at=DAY1 + timedelta(days=2)) == [b]
    assert {x.id: x.revoke_reason for x in ss.attestations()} == {a.id: "plan retired", b.id: None}
    with pytest.raises(InputError, match="already revoked"):
        ss.revoke(a.id, by="alice", now=DAY1 + timedelta(days=2))
    with pytest.raises(InputError, match="no attestation"):
        ss.revoke("ffffffff", by="alice")
    with pytest.raises(InputError, match="not in the future"):
        ss.attest(standard="baseline", control="6.1", by="x", evidence="y", expires_at=DAY1, now=DAY1)
    with pytest.raises(InputError, match="evidence"):
        ss.attest(standard="baseline", control="6.1", by="x", evidence=" ", expires_at=DAY1 + timedelta(days=1), now=DAY1)
    entries = [e for e in audit.entries(store.engine) if e.action.startswith("standards.")]
    assert [(e.action, e.actor, e.subject) for e in entries] == [
        ("standards.attest", "ops", "baseline:6.2"),
        ("standards.attest", "carol", "cis-aws-3.0:1.1"),
        ("standards.attest.revoke", "alice", "baseline:6.2"),
    ]
    assert entries[0].details["evidence"] == "drill 2026-10-14" and entries[2].details["reason"] == "plan retired"
    assert audit.verify(store.engine).ok


def test_view_without_scans_and_unknown_inputs(store: Store, rules: RuleSet) -> None:
    v = standard_view(store, "baseline", rules=rules)
    assert v.scan is None and "no scan stored yet" in v.note
    assert {s.control.id: s for s in v.states}["4.1"].status is ControlStatus.UNKNOWN
    with pytest.raises(InputError, match="unknown standard"):
        standard_view(store, "nist", rules=rules)
    with pytest.raises(InputError, match="no scan with id"):
        standard_view(store, "baseline", rules=rules, scan_id="deadbeef")
    run_scan(estate(volumes={"v1": True}), rules, store=store, now=DAY1)
    with pytest.raises(InputError, match="did not cover account"):
        standard_view(store, "baseline", rules=rules, account=DEV)


def test_a_scan_recorded_before_the_standards_tables_reads_as_unknown(store: Store, rules: RuleSet) -> None:
    from mamori.engine import evaluate
    from mamori.standards.score import score

    inv = estate(volumes={"v1": False})
    ev = evaluate(inv, rules)
    store.record_scan(inv, ev, {r.id: r.spec.title for r in rules}, score(ev.results, rules), started_at=DAY1, finished_at=DAY1)
    calls: list[int] = []

    def lazy() -> RuleSet:
        calls.append(1)
        return rules

    v = standard_view(store, "baseline", rules=lazy)
    assert calls == [1] and "recorded before per-rule results were kept" in v.note
    st = {s.control.id: s for s in v.states}["4.1"]
    assert st.status is ControlStatus.UNKNOWN and st.rules == ("t_volume_unencrypted",)
    assert v.scores["4"].failed == 1  # the score rows of that scan are still shown
