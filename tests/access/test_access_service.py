"""The access service against moto's IAM Identity Center: approvals, grants, expiry, overlap, revocation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mamori import audit
from mamori.access import service
from mamori.access.model import AccessRefused, GrantError, RequestStatus
from mamori.access.service import NewRequest
from mamori.config.access import AccessConfig
from mamori.errors import InputError
from mamori.findings import Store
from tests.access.conftest import ACCOUNT, OTHER, T0, IdentityCenter


def _req(store: Store, cfg: AccessConfig, who: str = "alice", ps: str = "Operator", accounts: tuple[str, ...] = (ACCOUNT,),
         duration: str = "1h", at=T0) -> service.AccessRequest:  # type: ignore[no-untyped-def]  # fmt: skip
    return service.request_access(store.engine, cfg, NewRequest(who, accounts, ps, duration, "rotate the leaked key", ticket="SEC-42"), now=at)


def test_self_approval_is_refused_and_recorded(store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    cfg = cfg.model_copy(update={"approvers": ["alice", "bob"]})
    req = _req(store, cfg)
    with pytest.raises(AccessRefused, match="cannot approve"):
        service.approve(store.engine, req.id, actor="alice", now=T0, granter=ic.granter())
    assert service.get(store.engine, req.id).status is RequestStatus.PENDING
    assert not ic.assigned("alice", "Operator")
    last = audit.entries(store.engine, subject=req.id)[-1]
    assert (last.action, last.details["result"], last.details["ticket"]) == ("access.approve", "refused", "SEC-42")


def test_non_approver_is_refused(store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(store, cfg)
    with pytest.raises(AccessRefused, match="not an approver"):
        service.approve(store.engine, req.id, actor="mallory", now=T0, granter=ic.granter())


def test_approval_creates_the_assignment_and_expiry_removes_it(store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(store, cfg)
    assert req.status is RequestStatus.PENDING and not ic.assigned("alice", "Operator")
    got = service.approve(store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    assert got.status is RequestStatus.ACTIVE and got.ends_at == T0 + timedelta(hours=1)
    assert ic.assigned("alice", "Operator")
    assert got.grants[0].principal_id == ic.users["alice"] and got.grants[0].assignment == "created"
    # before the end: nothing expires
    assert service.expire(store.engine, now=T0 + timedelta(minutes=59), granter=ic.granter()) == []
    assert ic.assigned("alice", "Operator")
    ended = service.expire(store.engine, now=T0 + timedelta(hours=1), granter=ic.granter())
    assert [r.id for r in ended] == [req.id] and ended[0].status is RequestStatus.EXPIRED
    assert not ic.assigned("alice", "Operator")
    assert ended[0].grants[0].assignment == "deleted"
    actions = [e.action for e in audit.entries(store.engine, subject=req.id)]
    assert actions == ["access.request", "access.approve", "access.grant", "access.expire"]
    assert audit.verify(store.engine).ok


def test_two_approvals_for_a_stricter_permission_set(store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(store, cfg, ps="AdministratorAccess")
    assert req.approvals_required == 2
    one = service.approve(store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    assert one.status is RequestStatus.PENDING and not ic.assigned("alice", "AdministratorAccess")
    with pytest.raises(AccessRefused, match="already approved"):
        service.approve(store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    two = service.approve(store.engine, req.id, actor="carol", now=T0, granter=ic.granter())
    assert two.status is RequestStatus.ACTIVE and ic.assigned("alice", "AdministratorAccess")


def test_duration_over_the_limit_is_refused(store: Store, cfg: AccessConfig) -> None:
    with pytest.raises(AccessRefused, match="longer than"):
        _req(store, cfg, ps="AdministratorAccess", duration="2h")
    with pytest.raises(InputError, match="ticket"):
        service.request_access(store.engine, cfg, NewRequest("alice", (ACCOUNT,), "Operator", "1h", "x"), now=T0)
    with pytest.raises(InputError, match="12-digit"):
        _req(store, cfg, accounts=("12345",))


def test_overlapping_grants_keep_the_assignment_the_other_needs(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    store = sqlite_store
    first = _req(store, cfg, duration="1h")
    service.approve(store.engine, first.id, actor="bob", now=T0, granter=ic.granter())
    second = _req(store, cfg, duration="2h", at=T0 + timedelta(minutes=30))
    got = service.approve(store.engine, second.id, actor="carol", now=T0 + timedelta(minutes=30), granter=ic.granter())
    assert got.grants[0].assignment == "existed"
    # the first ends: the second still needs the assignment
    ended = service.expire(store.engine, now=T0 + timedelta(hours=1), granter=ic.granter())
    assert [r.id for r in ended] == [first.id] and ended[0].grants[0].assignment == "kept"
    assert ic.assigned("alice", "Operator")
    # revoking the second removes it
    rev = service.end(store.engine, second.id, actor="bob", now=T0 + timedelta(hours=1, minutes=5), granter=ic.granter(), reason="revoked")
    assert rev.status is RequestStatus.REVOKED and rev.grants[0].assignment == "deleted"
    assert not ic.assigned("alice", "Operator")


def test_one_request_for_two_accounts(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(sqlite_store, cfg, accounts=(ACCOUNT, OTHER))
    got = service.approve(sqlite_store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    assert sorted(g.account for g in got.grants) == sorted([ACCOUNT, OTHER])
    assert ic.assigned("alice", "Operator", ACCOUNT) and ic.assigned("alice", "Operator", OTHER)


def test_revocation_denies_older_sessions_on_the_permission_set(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(sqlite_store, cfg)
    service.approve(sqlite_store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    service.end(sqlite_store.engine, req.id, actor="carol", now=T0 + timedelta(minutes=10), granter=ic.granter(), reason="revoked")
    doc = json.loads(ic.inline_policy("Operator"))
    [stmt] = doc["Statement"]
    assert stmt["Effect"] == "Deny" and stmt["Action"] == "*"
    assert stmt["Condition"]["DateLessThan"] == {"aws:TokenIssueTime": "2026-12-07T10:10:00Z"}
    assert stmt["Condition"]["StringLike"] == {"aws:userid": "*:alice"}
    # a later revocation replaces the statement for the same user, keeps others
    req2 = _req(sqlite_store, cfg, at=T0 + timedelta(hours=1))
    service.approve(sqlite_store.engine, req2.id, actor="bob", now=T0 + timedelta(hours=1), granter=ic.granter())
    service.end(sqlite_store.engine, req2.id, actor="bob", now=T0 + timedelta(hours=1, minutes=1), granter=ic.granter(), reason="revoked")
    [stmt] = json.loads(ic.inline_policy("Operator"))["Statement"]
    assert stmt["Condition"]["DateLessThan"] == {"aws:TokenIssueTime": "2026-12-07T11:01:00Z"}


def test_unknown_user_or_permission_set_is_a_grant_error_and_nothing_stays(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(sqlite_store, cfg, who="zed")
    with pytest.raises(GrantError, match="no user 'zed'"):
        service.approve(sqlite_store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    assert service.get(sqlite_store.engine, req.id).status is RequestStatus.APPROVED
    req2 = _req(sqlite_store, cfg, ps="Nope")
    with pytest.raises(GrantError, match="no permission set named 'Nope'"):
        service.approve(sqlite_store.engine, req2.id, actor="bob", now=T0, granter=ic.granter())
    assert [e.details["result"] for e in audit.entries(sqlite_store.engine, action="access.grant")] == ["failed", "failed"]


def test_deny(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(sqlite_store, cfg)
    got = service.deny(sqlite_store.engine, req.id, actor="bob", now=T0, note="use the runbook instead")
    assert got.status is RequestStatus.DENIED
    with pytest.raises(AccessRefused):
        service.approve(sqlite_store.engine, req.id, actor="carol", now=T0, granter=ic.granter())
    assert not ic.assigned("alice", "Operator")


def test_break_glass_grants_at_once_and_leaves_a_review_open(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = service.break_glass(sqlite_store.engine, cfg, NewRequest("alice", (ACCOUNT,), "Operator", "1h", "prod down", finding="F-9"),
                              now=T0, granter=ic.granter())  # fmt: skip
    assert req.status is RequestStatus.ACTIVE and req.review == "open" and ic.assigned("alice", "Operator")
    with pytest.raises(AccessRefused, match="cannot close"):
        service.review_close(sqlite_store.engine, req.id, actor="alice", now=T0, note="fine")
    closed = service.review_close(sqlite_store.engine, req.id, actor="bob", now=T0 + timedelta(hours=2), note="justified: outage INC-7")
    assert closed.review == "closed"
    acts = [(e.action, e.details.get("finding")) for e in audit.entries(sqlite_store.engine, subject=req.id)]
    assert acts == [("access.break_glass", "F-9"), ("access.grant", "F-9"), ("access.review_close", "F-9")]


def test_policy_per_account_group() -> None:
    c = AccessConfig.model_validate({"approvers": ["bob", "carol"], "account_groups": {"prod": {"approvers": ["carol"], "approvals_required": 2}}})
    p = c.policy_for("Operator", [ACCOUNT], {"prod": [ACCOUNT]})
    assert (p.approvers, p.approvals_required) == (("carol",), 2)
    p = c.policy_for("Operator", [OTHER], {"prod": [ACCOUNT]})
    assert (p.approvers, p.approvals_required) == (("bob", "carol"), 1)


def test_grants_ending_together_delete_the_shared_assignment_once(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    ids = []
    for i in range(3):
        r = _req(sqlite_store, cfg, at=T0 + timedelta(minutes=i))
        service.approve(sqlite_store.engine, r.id, actor="bob", now=T0 + timedelta(minutes=i), granter=ic.granter())
        ids.append(r.id)
    assert [service.get(sqlite_store.engine, i).grants[0].assignment for i in ids] == ["created", "existed", "existed"]
    ended = service.expire(sqlite_store.engine, now=T0 + timedelta(hours=2), granter=ic.granter())
    assert sorted(r.id for r in ended) == sorted(ids) and not ic.assigned("alice", "Operator")
    # deleting an assignment that is already gone is not an error (a retry, or removed by hand)
    assert ic.granter().unassign(ACCOUNT, "Operator", "alice") == {"status": "absent (already deleted)"}


def test_the_requester_may_withdraw_a_pending_request_others_may_not(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter) -> None:
    req = _req(sqlite_store, cfg)
    with pytest.raises(AccessRefused, match="not an approver"):
        service.deny(sqlite_store.engine, req.id, actor="mallory", now=T0)
    got = service.end(sqlite_store.engine, req.id, actor="alice", now=T0, granter=ic.granter(), reason="revoked")
    assert got.status is RequestStatus.DENIED and got.review_note == "revoked before it was granted"
