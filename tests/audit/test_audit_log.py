"""The audit log: chain, verification against edits and deletions, concurrency, export."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import delete, text, update

from mamori import audit
from mamori.audit.log import entry_hash
from mamori.audit.tables import audit_log
from mamori.errors import InputError
from mamori.findings import Store


def _fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        audit.record(store.engine, actor="alice", action=f"test.{'even' if i % 2 == 0 else 'odd'}", subject=f"s{i}", details={"i": i, "nested": {"b": 1, "a": [1, 2]}, "when": datetime(2026, 1, 1, tzinfo=UTC)})


def test_chain_links_and_verifies(store: Store) -> None:
    _fill(store)
    items = audit.entries(store.engine)
    assert [e.seq for e in items] == [1, 2, 3, 4, 5]
    assert items[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(items))
    assert items[0].details["when"] == "2026-01-01T00:00:00+00:00"  # normalised to JSON
    rep = audit.verify(store.engine)
    assert rep.ok and rep.entries == 5 and rep.head == f"5:{items[-1].hash}"


def test_empty_log_verifies(store: Store) -> None:
    rep = audit.verify(store.engine)
    assert rep.ok and rep.entries == 0 and rep.head_seq == 0


def test_edited_entry_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(subject="someone-else"))
    rep = audit.verify(store.engine)
    assert not rep.ok
    assert [(p.seq, p.kind) for p in rep.problems] == [(3, "edited")]


def test_edited_details_and_time_are_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(details={"i": 99}))
        conn.execute(update(audit_log).where(audit_log.c.seq == 4).values(at=datetime.now(UTC) - timedelta(days=3)))
    assert {(p.seq, p.kind) for p in audit.verify(store.engine).problems} == {(2, "edited"), (4, "edited")}


def test_rehashing_an_edit_breaks_the_next_link(store: Store) -> None:
    """An attacker who recomputes the edited entry's hash still breaks the chain after it."""
    _fill(store)
    e = audit.entries(store.engine)[1]
    forged = audit.log.entry_hash(e.seq, e.at, "mallory", e.action, e.subject, dict(e.details), e.prev_hash)
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(actor="mallory", hash=forged))
    assert [(p.seq, p.kind) for p in audit.verify(store.engine).problems] == [(3, "broken-link")]


def test_deleted_entry_is_detected(store: Store) -> None:
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    kinds = {(p.seq, p.kind) for p in audit.verify(store.engine).problems}
    assert kinds == {(2, "missing"), (3, "broken-link")}


def test_deleted_newest_entries_are_detected_by_the_checkpoint(store: Store) -> None:
    """Issue 12, item 13: truncation used to verify as "intact" unless --expect-head was given."""
    _fill(store)
    assert audit.verify(store.engine).guarantee == "chain + checkpoint"
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
    rep = audit.verify(store.engine)
    assert [(p.seq, p.kind) for p in rep.problems] == [(5, "truncated")]


def test_rewritten_log_is_detected_by_the_checkpoint(store: Store) -> None:
    """Entries 3.. replaced by a consistent chain (hashes recomputed): the checkpoint no longer matches."""
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 3"))
    prev = audit.entries(store.engine)[-1].hash
    with store.engine.begin() as conn:  # a consistent chain, hashes recomputed, written around record_in
        for seq in (3, 4, 5):
            at = datetime.now(UTC)
            digest = entry_hash(seq, at, "mallory", "test.x", f"s{seq}", {}, prev)
            conn.execute(audit_log.insert().values(seq=seq, at=at, actor="mallory", action="test.x", subject=f"s{seq}",
                                                   details={}, prev_hash=prev, hash=digest))  # fmt: skip
            prev = digest
    assert [p.kind for p in audit.verify(store.engine).problems] == ["rewritten"]


def test_hmac_checkpoint(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_AUDIT_KEY", "k1")
    _fill(store)
    rep = audit.verify(store.engine)
    assert rep.ok and rep.guarantee == "chain + HMAC checkpoint"
    # someone without the key truncates and moves the checkpoint along: the HMAC gives it away
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
        h3 = conn.execute(text("SELECT hash FROM audit_log WHERE seq = 3")).scalar_one()
        conn.execute(text("UPDATE audit_checkpoint SET seq = 3, hash = :h, mac = NULL"), {"h": h3})
    assert [p.kind for p in audit.verify(store.engine).problems] == ["checkpoint-unauthenticated"]
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_checkpoint SET mac = :m"), {"m": "0" * 64})
    assert [p.kind for p in audit.verify(store.engine).problems] == ["checkpoint-forged"]
    monkeypatch.setenv("MAMORI_AUDIT_KEY", "another key")
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoint"))
    assert [p.kind for p in audit.verify(store.engine).problems] == ["checkpoint-missing"]


def test_deleted_newest_entries_and_the_pinned_head(store: Store) -> None:
    _fill(store)
    head = audit.verify(store.engine).head
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
        conn.execute(text("DELETE FROM audit_checkpoint"))  # a log written before checkpoints existed
    rep = audit.verify(store.engine)
    assert rep.ok and rep.guarantee == "hash chain only"  # a shorter chain is consistent on its own
    rep = audit.verify(store.engine, expect_head=head)
    assert not rep.ok and rep.problems[0].kind == "missing"
    assert audit.verify(store.engine, expect_head=f"3:{audit.entries(store.engine)[-1].hash}").ok
    assert audit.verify(store.engine, expect_head="3:" + "f" * 64).problems[0].kind == "head-mismatch"
    with pytest.raises(InputError):
        audit.verify(store.engine, expect_head="nonsense")


def test_filters(store: Store) -> None:
    _fill(store, 6)
    assert [e.subject for e in audit.entries(store.engine, action="test.odd")] == ["s1", "s3", "s5"]
    assert len(audit.entries(store.engine, action="test.")) == 6
    assert len(audit.entries(store.engine, action="test*")) == 6
    assert [e.seq for e in audit.entries(store.engine, limit=2, newest_first=True)] == [6, 5]
    assert [e.seq for e in audit.entries(store.engine, subject="s2")] == [3]
    assert audit.entries(store.engine, since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert len(audit.entries(store.engine, actor="alice")) == 6


def test_concurrent_writers_do_not_fork_the_chain(store_url: str) -> None:
    stores = [Store.open(store_url) for _ in range(3)]
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for n in range(15):
                audit.record(stores[i].engine, actor=f"w{i}", action="test.concurrent", subject=str(n))
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rep = audit.verify(stores[0].engine)
    assert rep.ok and rep.entries == 45
    for s in stores:
        s.close()


def test_export_verifies_offline(store: Store) -> None:
    _fill(store)
    lines = list(audit.export_lines(store.engine))
    assert len(lines) == 5
    assert audit.verify_entries(audit.read_lines(lines)).ok
    tampered = [*lines[:2], lines[2].replace(b'"s2"', b'"zz"'), *lines[3:]]
    assert [p.kind for p in audit.verify_entries(audit.read_lines(tampered)).problems] == ["edited"]
    with pytest.raises(InputError, match="line 1"):
        list(audit.read_lines([b"{not json"], source="x.jsonl"))


def test_record_in_shares_the_callers_transaction(store: Store) -> None:
    from mamori.store.db import write_transaction

    with pytest.raises(RuntimeError), write_transaction(store.engine) as conn:
        audit.record_in(conn, actor="a", action="test.rollback", subject="x")
        raise RuntimeError("the change failed")
    assert audit.entries(store.engine) == []
