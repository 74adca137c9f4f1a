"""Findings pages (filters in SQL, visible accounts, keyset cursors) and bulk changes, on SQLite and PostgreSQL."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.audit import log as audit
from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.errors import InputError
from mamori.findings import FindingFilter, Store
from mamori.hub import bulk
from mamori.hub import page as pg
from mamori.hub.owners import owner_of
from mamori.hub.page import OPEN, FindingsQuery
from mamori.hub.query import query_findings
from mamori.model import Finding, FindingStatus, Severity
from mamori.model.finding import FindingMeta, finding_id

A, B = "111111111111", "222222222222"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=40)
OWNERS = OwnersConfig.model_validate(
    {"default": "security", "accounts": {B: "platform"}, "tags": [{"key": "app", "value": "pay", "owner": "payments"}, {"key": "team"}]}
)
SLA = SlaConfig.model_validate({"critical": 7, "high": 30, "medium": 90, "low": None})
SEVS = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
RULES = ("s3_bucket_public_via_acl", "ec2_imdsv1_enabled", "iam_user_without_mfa")


def seed(store: Store, n: int = 40) -> list[Finding]:
    items, meta = [], {}
    for i in range(n):
        acct = A if i % 3 else B
        rule = RULES[i % 3]
        rid = f"res-{i:03d}" if i != 7 else "100%_literal"
        title = f"Finding {i}" if i != 11 else "A bucket named Secret-Logs"
        f = Finding(
            finding_id(rule, acct, "us-east-1", "aws.s3.bucket", rid), rule, title, SEVS[i % 4], FindingStatus.NEW,
            "aws.s3.bucket", rid, f"arn:aws:s3:::{rid}", acct, "us-east-1" if i % 5 else "eu-west-1", {"i": i},
            T0 + timedelta(days=i), T0 + timedelta(days=i), source="mamori" if i % 4 else "securityhub",
        )  # fmt: skip
        items.append(f)
        tags = {"team": f"team-{i % 2}"} if i % 6 == 0 else {"app": "pay"} if i % 6 == 1 else {}
        meta[f.id] = FindingMeta(tags)
    store.upsert_findings(items, actor="test", now=T0, meta=meta)
    return items


def walk(store: Store, query: FindingsQuery, accounts: pg.Accounts = None, limit: int = 7) -> list[str]:
    out, cursor = [], None
    while True:
        p = pg.page(store, query, OWNERS, SLA, accounts=accounts, limit=limit, cursor=cursor, now=NOW)
        assert len(p.items) <= limit
        out += [h.finding.id for h in p.items]
        if p.next_cursor is None:
            return out
        cursor = p.next_cursor


def test_cursor_pages_are_stable_worst_first_and_complete(store: Store) -> None:
    items = seed(store)
    every = FindingsQuery(FindingFilter(statuses=()))
    ids = walk(store, every)
    want = [f.id for f in sorted(items, key=lambda f: (f.severity.rank, f.id), reverse=True)]
    assert ids == want, "every finding once, worst severity first, then id"
    assert walk(store, every, limit=500) == want
    assert pg.count(store, every, OWNERS, SLA, now=NOW) == len(items)
    assert pg.count(store, every, OWNERS, SLA, now=NOW, cap=3) == 4, "a capped count stops at cap + 1"
    assert pg.count(store, every, OWNERS, SLA, now=NOW, cap=len(items)) == len(items)


def test_visible_accounts_are_a_sql_condition(store: Store) -> None:
    items = seed(store)
    every = FindingsQuery(FindingFilter(statuses=()))
    only_a = walk(store, every, frozenset({A}))
    assert set(only_a) == {f.id for f in items if f.account == A}
    assert walk(store, every, frozenset()) == [], "no accounts: nothing (never everything)"
    asks_b = FindingsQuery(FindingFilter(statuses=(), accounts=(B,)))
    assert walk(store, asks_b, frozenset({A})) == [], "asking for an account one cannot see gives nothing"
    assert pg.count(store, asks_b, OWNERS, SLA, accounts=frozenset({A}), now=NOW) == 0
    b_one = next(f for f in items if f.account == B)
    assert pg.get(store, b_one.id, OWNERS, SLA, accounts=frozenset({A})) is None
    got = pg.get(store, b_one.id, OWNERS, SLA, accounts=None, now=NOW)
    assert got is not None and got.finding == b_one
    assert pg.get(store, b_one.id[:6], OWNERS, SLA) is None, "exact ids only, no prefixes"


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        (FindingsQuery(FindingFilter(statuses=(), severities=(Severity.HIGH,))), lambda f: f.severity is Severity.HIGH),
        (FindingsQuery(FindingFilter(statuses=(), min_severity=Severity.HIGH)), lambda f: f.severity.rank >= 3),
        (FindingsQuery(FindingFilter(statuses=(), rules=(RULES[1],))), lambda f: f.rule_id == RULES[1]),
        (FindingsQuery(FindingFilter(statuses=(), regions=("eu-west-1",))), lambda f: f.region == "eu-west-1"),
        (FindingsQuery(FindingFilter(statuses=(), sources=("securityhub",))), lambda f: f.source == "securityhub"),
        (FindingsQuery(FindingFilter(statuses=()), q="secret-LOGS"), lambda f: "secret-logs" in f.title.lower()),
        (FindingsQuery(FindingFilter(statuses=()), q="100%_"), lambda f: f.resource_id == "100%_literal"),
        (FindingsQuery(FindingFilter(statuses=()), q="%"), lambda f: "%" in f.resource_id),
        (FindingsQuery(FindingFilter(statuses=()), q="IMDSV1"), lambda f: f.rule_id == RULES[1]),
    ],
)
def test_filters_and_search(store: Store, query: FindingsQuery, keep) -> None:  # type: ignore[no-untyped-def]
    items = seed(store)
    assert set(walk(store, query)) == {f.id for f in items if keep(f)}


def test_owner_and_overdue_in_sql_agree_with_the_python_mapping(store: Store) -> None:
    items = seed(store)
    meta = store.meta()
    expected = {f.id: owner_of(OWNERS, f.account, meta.get(f.id, {}).get("tags", {})) for f in items}
    for team in set(expected.values()):
        got = walk(store, FindingsQuery(FindingFilter(statuses=()), owners=(team,)))
        assert set(got) == {i for i, o in expected.items() if o == team}, team
    overdue = walk(store, FindingsQuery(FindingFilter(statuses=OPEN), overdue=True))
    days = {Severity.CRITICAL: 7, Severity.HIGH: 30, Severity.MEDIUM: 90}
    assert set(overdue) == {f.id for f in items if f.severity in days and f.first_seen + timedelta(days=days[f.severity]) < NOW}
    assert overdue, "the data has overdue findings"
    rows = pg.page(store, FindingsQuery(FindingFilter(statuses=())), OWNERS, SLA, limit=500, now=NOW).items
    assert {h.finding.id: h.owner for h in rows} == expected
    assert {h.finding.id for h in rows if h.overdue} == set(overdue)


def test_cli_query_uses_the_same_filters(store: Store) -> None:
    seed(store)
    q = FindingsQuery(FindingFilter(statuses=OPEN, limit=3), owners=("payments",))
    rows = query_findings(store, q, OWNERS, SLA, now=NOW)
    assert len(rows) == 3 and {h.owner for h in rows} == {"payments"}
    assert [h.finding.severity.rank for h in rows] == sorted((h.finding.severity.rank for h in rows), reverse=True)


def test_bad_cursor_limit_and_search_are_input_errors(store: Store) -> None:
    seed(store, 5)
    with pytest.raises(InputError, match="invalid cursor"):
        pg.page(store, FindingsQuery(), OWNERS, SLA, cursor="not-a-cursor")
    with pytest.raises(InputError, match="limit"):
        pg.page(store, FindingsQuery(), OWNERS, SLA, limit=0)
    with pytest.raises(InputError, match="at most"):
        pg.page(store, FindingsQuery(q="x" * 500), OWNERS, SLA)
    with pytest.raises(InputError, match="unknown status"):
        pg.statuses_named("closed")


@given(st.text(alphabet=string.printable, max_size=120))
def test_decode_cursor_never_fails_unexpectedly(raw: str) -> None:
    try:
        rank, fid = pg.decode_cursor(raw)
    except InputError:
        return
    assert 0 <= rank <= 4 and 0 < len(fid) <= 64


@given(st.integers(0, 4), st.text(min_size=1, max_size=64))
def test_cursor_round_trip(rank: int, fid: str) -> None:
    assert pg.decode_cursor(pg.encode_cursor(rank, fid)) == (rank, fid)


def test_bulk_suppress_is_one_audited_set_based_action(store: Store) -> None:
    items = seed(store)
    store.mark_notified([items[1].id], actor="test", note="sent", now=T0)
    q = FindingsQuery(FindingFilter(statuses=OPEN, rules=(RULES[1],)))
    visible = frozenset({A})
    target = {f.id for f in items if f.rule_id == RULES[1] and f.account == A}
    before = len(audit.entries(store.engine))
    res = bulk.bulk_suppress(
        store, q, OWNERS, SLA, reason="accepted: legacy fleet", approver="ciso@example.com", expires="30d",
        actor="alice", accounts=visible, now=NOW,
    )  # fmt: skip
    assert res.findings == len(target) > 0
    after = audit.entries(store.engine)
    assert len(after) == before + 1
    entry = after[-1]
    assert (entry.actor, entry.action, entry.subject) == ("alice", "suppression.bulk_add", res.subject)
    assert entry.details["findings"] == len(target) and entry.details["filter"]["rule"] == [RULES[1]]
    assert audit.verify(store.engine).ok
    status = {f.id: f.status for f in store.findings(FindingFilter(statuses=()))}
    assert {i for i, s in status.items() if s is FindingStatus.SUPPRESSED} == target, "only the visible account's"
    meta = store.meta(target)
    sups = {s.id: s for s in store.suppressions(now=NOW)}
    for fid in target:
        sid = meta[fid]["suppression_id"]
        assert sups[sid].selector.finding_id == fid and sups[sid].origin == res.subject and sups[sid].created_by == "alice"
        hist = store.history(fid)[-1]
        assert (hist["to_status"], hist["actor"]) == ("SUPPRESSED", "alice") and "legacy fleet" in hist["note"]
    assert store.refresh(now=NOW + timedelta(days=1)) == [], "the lifecycle agrees: nothing reopens while active"
    assert set(store.refresh(now=NOW + timedelta(days=31))) == target, "they expire together"


def test_bulk_suppress_refuses_missing_reason_bad_expiry_and_too_many(store: Store) -> None:
    seed(store, 10)
    kw = {"reason": "r", "approver": "a", "expires": "30d", "actor": "alice", "now": NOW}
    for bad, match in ({"reason": "  "}, "reason is required"), ({"approver": ""}, "approver is required"), (
        {"expires": "soon"}, "is not 90d"), ({"expires": "2020-01-01"}, "not in the future"):  # fmt: skip
        with pytest.raises(InputError, match=match):
            bulk.bulk_suppress(store, FindingsQuery(), OWNERS, SLA, **{**kw, **bad})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="narrow the filter"):
        bulk.bulk_suppress(store, FindingsQuery(), OWNERS, SLA, max_findings=2, **kw)  # type: ignore[arg-type]
    assert store.counts_by_status() == {"NEW": 10}, "nothing changed"


def test_assign_owner_wins_over_the_mapping_and_can_be_undone(store: Store) -> None:
    items = seed(store)
    q = FindingsQuery(FindingFilter(statuses=(), accounts=(B,)))
    res = bulk.assign_owner(store, q, OWNERS, SLA, owner="night-shift", actor="bob", now=NOW)
    in_b = {f.id for f in items if f.account == B}
    assert res.findings == len(in_b)
    assert set(walk(store, FindingsQuery(FindingFilter(statuses=()), owners=("night-shift",)))) == in_b
    assert audit.entries(store.engine)[-1].action == "finding.assign"
    bulk.assign_owner(store, q, OWNERS, SLA, owner=None, actor="bob", now=NOW)
    assert walk(store, FindingsQuery(FindingFilter(statuses=()), owners=("night-shift",))) == []
    scoped = bulk.assign_owner(store, q, OWNERS, SLA, owner="x", actor="eve", accounts=frozenset({A}), now=NOW)
    assert scoped.findings == 0, "a user scoped to A cannot reach B's findings"


def test_add_suppression_pins_scoped_users_to_their_accounts(store: Store) -> None:
    items = seed(store)
    known = set(RULES)
    req = bulk.SuppressionRequest(reason="r", approver="a", expires="30d", rule=RULES[0], resource=items[3].resource_id)
    with pytest.raises(InputError, match="name one of them"):
        bulk.add_suppression(store, req, actor="eve", known_rules=known, accounts=frozenset({A}), now=NOW)
    with pytest.raises(InputError, match="not one you can see"):
        bulk.add_suppression(store, bulk.SuppressionRequest("r", "a", "30d", rule=RULES[0], account=B), actor="eve",
                             known_rules=known, accounts=frozenset({A}), now=NOW)  # fmt: skip
    with pytest.raises(InputError, match="unknown rule"):
        bulk.add_suppression(store, bulk.SuppressionRequest("r", "a", "30d", rule="s3_bucket_publik"), actor="x", known_rules=known)
    with pytest.raises(InputError, match="at least one selector"):
        bulk.add_suppression(store, bulk.SuppressionRequest("r", "a", "30d"), actor="x", known_rules=known)
    s, ids = bulk.add_suppression(store, req, actor="alice", known_rules=known, now=NOW)
    assert ids == [items[3].id] and s.created_by == "alice"
    e = audit.entries(store.engine)[-1]
    assert (e.action, e.subject, e.actor, e.details["suppressed"]) == ("suppression.add", s.id, "alice", 1)
    mine, _ = bulk.list_suppressions(store, accounts=frozenset({A}), now=NOW)
    assert mine == [], "a rule-wide suppression is not shown to a scoped user"
    assert [x.id for x in bulk.list_suppressions(store, now=NOW)[0]] == [s.id]


def test_a_search_walks_a_bounded_window_per_page_and_still_finds_everything(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = seed(store)
    monkeypatch.setattr(pg, "SEARCH_WINDOW", 4)
    q = FindingsQuery(FindingFilter(statuses=()), q="finding 1")  # Finding 1, 10, 12, ... : spread over the order
    pages, cursor, got = 0, None, []
    while True:
        p = pg.page(store, q, OWNERS, SLA, limit=50, cursor=cursor, now=NOW)
        pages += 1
        got += [h.finding.id for h in p.items]
        if p.next_cursor is None:
            break
        cursor = p.next_cursor
    want = [f.id for f in sorted(items, key=lambda f: (f.severity.rank, f.id), reverse=True) if "finding 1" in f.title.lower()]
    assert got == want and pages >= len(items) // 4, "every match once, in order, over short pages"
