"""Each scan verifies tasks on the resources tagged with the app, reopens them, and checks the answers against the estate."""

from __future__ import annotations

from datetime import timedelta

from mamori.engage.content import builtin_content
from mamori.engage.evaluate import task_id
from mamori.engage.service import AnswerRequest, TaskStatus, answer, attest_task, get_task
from mamori.engage.verify import after_scan
from mamori.findings import FindingFilter, Store
from mamori.model.finding import FindingStatus, Result, ResultStatus, Severity
from mamori.rules import RuleSet
from mamori.scan.service import run_scan
from tests.engage.conftest import ACCOUNT, DAY1, answers, estate, load_balancer, rds

RDS_RULES = ("rds_instance_public", "rds_instance_storage_unencrypted")


def _status(store: Store, template: str, app: str = "shop") -> TaskStatus:
    return get_task(store.engine, task_id(app, template))[0].status


def test_tasks_verify_reopen_and_ignore_untagged_resources(store: Store, builtin_rules: RuleSet) -> None:
    rules = builtin_rules.select(RDS_RULES)
    answer(
        store.engine, builtin_content(), AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1
    )
    # a public database tagged with the app: the task stays open, with the reason
    run_scan(
        estate([rds("db1", public=True), rds("other", app="blog")], day=1),
        rules,
        store=store,
        now=DAY1 + timedelta(days=1),
    )
    t, _ = get_task(store.engine, task_id("shop", "rds-not-public"))
    assert t.status is TaskStatus.OPEN and "db1" in t.note
    # fixed: verified (the untagged / other app's database does not count either way)
    out = run_scan(
        estate([rds("db1"), rds("other", public=True, app="blog")], day=2),
        rules,
        store=store,
        now=DAY1 + timedelta(days=2),
    )
    assert out.engage is not None and task_id("shop", "rds-not-public") in out.engage.verified
    assert _status(store, "rds-not-public") is TaskStatus.VERIFIED
    assert _status(store, "rds-encrypt-at-rest") is TaskStatus.VERIFIED
    # broken again: reopened
    out = run_scan(estate([rds("db1", public=True)], day=3), rules, store=store, now=DAY1 + timedelta(days=3))
    assert out.engage is not None and out.engage.reopened == [task_id("shop", "rds-not-public")]
    t, hist = get_task(store.engine, task_id("shop", "rds-not-public"))
    assert t.status is TaskStatus.OPEN and t.times_reopened == 1
    assert [h["to_status"] for h in hist] == ["open", "verified", "open"]
    assert hist[-1]["actor"] == "scan" and hist[-1]["scan_id"] == out.summary.scan_id  # type: ignore[union-attr]
    # a task whose rules were not part of the scan is left alone
    assert _status(store, "s3-block-public-access") is TaskStatus.OPEN


def test_no_tagged_resource_or_unknown_results_verify_nothing(store: Store, builtin_rules: RuleSet) -> None:
    rules = builtin_rules.select(RDS_RULES)
    answer(
        store.engine, builtin_content(), AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1
    )
    run_scan(estate([rds("db1", app=None)], day=1), rules, store=store, now=DAY1 + timedelta(days=1))
    t, _ = get_task(store.engine, task_id("shop", "rds-not-public"))
    assert t.status is TaskStatus.OPEN and "no resource tagged app=shop" in t.note
    inv = estate([rds("db1")], day=2)
    res = inv.get("aws.rds.db_instance", ACCOUNT, "us-east-1", "db1")
    assert res is not None
    results = [
        Result.of("rds_instance_public", Severity.HIGH, res, ResultStatus.PASS),
        Result.of(
            "rds_instance_storage_unencrypted",
            Severity.HIGH,
            res,
            ResultStatus.UNKNOWN,
            reason="not collected",
        ),
    ]
    after_scan(store, None, inv, results, set(RDS_RULES), now=DAY1 + timedelta(days=2))
    assert _status(store, "rds-not-public") is TaskStatus.VERIFIED
    assert _status(store, "rds-encrypt-at-rest") is TaskStatus.OPEN  # UNKNOWN is not a pass
    # a scope-wide UNKNOWN (the data could not be collected) verifies nothing either
    scope_unknown = Result(
        "rds_instance_storage_unencrypted",
        ResultStatus.UNKNOWN,
        Severity.HIGH,
        "aws.rds.db_instance",
        "*",
        ACCOUNT,
        "us-east-1",
    )
    results[1] = Result.of("rds_instance_storage_unencrypted", Severity.HIGH, res, ResultStatus.PASS)
    after_scan(store, None, inv, [*results, scope_unknown], set(RDS_RULES), now=DAY1 + timedelta(days=3))
    assert _status(store, "rds-encrypt-at-rest") is TaskStatus.OPEN


def test_attestation_expires_after_a_scan(store: Store, builtin_rules: RuleSet) -> None:
    answer(
        store.engine, builtin_content(), AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1
    )
    tid = task_id("shop", "incident-contact")
    attest_task(
        store.engine,
        tid,
        by="carol",
        evidence="https://wiki/oncall",
        expires_at=DAY1 + timedelta(days=10),
        actor="alice",
        now=DAY1,
    )
    rules = builtin_rules.select(RDS_RULES)
    run_scan(estate([rds("db1")], day=5), rules, store=store, now=DAY1 + timedelta(days=5))
    assert _status(store, "incident-contact") is TaskStatus.ATTESTED
    out = run_scan(estate([rds("db1")], day=11), rules, store=store, now=DAY1 + timedelta(days=11))
    assert out.engage is not None and out.engage.expired == [tid]
    t, hist = get_task(store.engine, tid)
    assert t.status is TaskStatus.OPEN and hist[-1]["note"] == "attestation expired"


def test_answers_contradicted_by_the_estate_raise_engage_findings(
    store: Store, builtin_rules: RuleSet
) -> None:
    rules = builtin_rules.select(RDS_RULES)
    answer(
        store.engine,
        builtin_content(),
        AnswerRequest("batch", "data", answers(internet_exposure="none")),
        actor="alice",
        now=DAY1,
    )
    answer(
        store.engine, builtin_content(), AnswerRequest("shop", "payments", answers()), actor="alice", now=DAY1
    )  # public: no contradiction
    inv = estate([load_balancer("lb-batch", "internet-facing", app="batch"), load_balancer("lb-int", "internal", app="batch"),
                  load_balancer("lb-shop", "internet-facing", app="shop"), rds("db-batch", public=True, app="batch")], day=1)  # fmt: skip
    run_scan(inv, rules, store=store, now=DAY1 + timedelta(days=1))
    found = store.findings(FindingFilter(sources=("engage",)))
    assert sorted(f.resource_id for f in found) == ["db-batch", "lb-batch"]
    assert {f.rule_id for f in found} == {"engage.internet-exposure-none"}
    assert all(
        f.status is FindingStatus.NEW and "batch" in f.title and f.evidence["app"] == "batch" for f in found
    )
    assert found[0].evidence["answers"] == {"internet_exposure": "none"}
    # the same again: no duplicates; then the LB goes internal and the DB private: resolved
    run_scan(inv, rules, store=store, now=DAY1 + timedelta(days=2))
    assert len(store.findings(FindingFilter(sources=("engage",)))) == 2
    fixed = estate([load_balancer("lb-batch", "internal", app="batch"), rds("db-batch", app="batch")], day=3)
    out = run_scan(fixed, rules, store=store, now=DAY1 + timedelta(days=3))
    assert out.engage is not None and out.engage.contradictions.get("resolved") == 2
    assert {f.status for f in store.findings(FindingFilter(sources=("engage",)))} == {FindingStatus.RESOLVED}


def test_a_scan_without_engagements_changes_nothing(store: Store, builtin_rules: RuleSet) -> None:
    out = run_scan(
        estate([rds("db1", public=True)], day=1),
        builtin_rules.select(RDS_RULES),
        store=store,
        now=DAY1 + timedelta(days=1),
    )
    assert out.engage is not None and out.engage.verified == [] and out.engage.contradictions == {}
