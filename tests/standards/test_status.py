"""Control statuses, coverage kinds and the honest score sentence (pure, no store)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mamori.catalog import standards
from mamori.engine import evaluate
from mamori.errors import InputError
from mamori.model.score import ScoreRow
from mamori.rules import RuleSet
from mamori.standards.attestation import (
    Attestation,
    AttestationState,
    check_attestable,
    find_control,
    parse_expiry,
)
from mamori.standards.score import ALL, coverage, coverage_for_scan, explain, score
from mamori.standards.status import ControlStatus, CoverageKind, RuleCount, control_states, count_results

from .conftest import DAY1, DEV, PROD, estate

BASELINE = standards()["baseline"]


def att(control: str, *, days: int = 30, account: str = "*", created: int = 0, revoked: int | None = None, aid: str = "a1") -> Attestation:
    return Attestation(
        id=aid, standard="baseline", control=control, account=account, by="alice", evidence="https://wiki/ir",
        created_at=DAY1 + timedelta(days=created), expires_at=DAY1 + timedelta(days=created + days),
        revoked_at=None if revoked is None else DAY1 + timedelta(days=revoked), revoked_by=None if revoked is None else "bob",
    )  # fmt: skip


def mapping(rules: RuleSet) -> dict[str, dict[str, list[str]]]:
    return {r.id: r.spec.controls for r in rules}


def states(rules: RuleSet, counts: list[RuleCount], atts: list[Attestation] = (), **kw):  # type: ignore[no-untyped-def,assignment]
    return {s.control.id: s for s in control_states(BASELINE, mapping(rules), counts, list(atts), at=kw.pop("at", DAY1 + timedelta(days=1)), **kw)}


def test_each_status_from_counts(rules: RuleSet) -> None:
    s = states(rules, [RuleCount("t_volume_unencrypted", PROD, 3, 1, 0), RuleCount("t_bucket_public", PROD, 2, 0, 1)])
    assert (s["4.1"].status, s["4.1"].coverage, s["4.1"].rules) == (ControlStatus.FAILING, CoverageKind.MACHINE, ("t_volume_unencrypted",))
    assert (s["4.1"].passed, s["4.1"].failed) == (3, 1)
    assert s["2.5"].status is ControlStatus.UNKNOWN  # nothing failed, but one result could not be decided
    s = states(rules, [RuleCount("t_volume_unencrypted", PROD, 3, 0, 0)])
    assert s["4.1"].status is ControlStatus.PASSING and s["2.5"].status is ControlStatus.NO_RESOURCES
    # an automatable control without a rule: not covered, with the catalogue's reason
    assert s["4.3"].coverage is CoverageKind.NONE and "allowed-regions" in s["4.3"].note
    # attestation-only control: needs a person
    assert s["6.1"].status is ControlStatus.NOT_COVERED and "mamori attest" in s["6.1"].note


def test_never_scanned_is_unknown_not_passing(rules: RuleSet) -> None:
    s = states(rules, [], scanned=False)
    assert s["4.1"].status is ControlStatus.UNKNOWN and s["4.1"].note == "not scanned yet"


def test_attestation_counts_only_while_valid(rules: RuleSet) -> None:
    a = att("6.1", days=30)
    for day, status in ((1, ControlStatus.ATTESTED), (29, ControlStatus.ATTESTED), (30, ControlStatus.NOT_COVERED)):
        s = states(rules, [], [a], at=DAY1 + timedelta(days=day))
        assert s["6.1"].status is status, day
    expired = states(rules, [], [a], at=DAY1 + timedelta(days=31))["6.1"]
    assert expired.coverage is CoverageKind.NONE and expired.note == "attestation a1 by alice expired"
    revoked = att("6.1", days=30, revoked=5)
    assert states(rules, [], [revoked], at=DAY1 + timedelta(days=4))["6.1"].status is ControlStatus.ATTESTED
    assert states(rules, [], [revoked], at=DAY1 + timedelta(days=6))["6.1"].note == "attestation a1 by alice revoked"
    future = att("6.1", created=10)
    assert future.state_at(DAY1) is AttestationState.FUTURE and states(rules, [], [future], at=DAY1)["6.1"].status is ControlStatus.NOT_COVERED


def test_attestation_scope_by_account(rules: RuleSet) -> None:
    one = att("6.2", account=PROD)
    assert states(rules, [], [one], account=PROD)["6.2"].status is ControlStatus.ATTESTED
    assert states(rules, [], [one], account=DEV)["6.2"].status is ControlStatus.NOT_COVERED
    assert states(rules, [], [one])["6.2"].status is ControlStatus.NOT_COVERED  # one account does not vouch for all
    org = att("6.2")
    assert states(rules, [], [org], account=DEV)["6.2"].status is ControlStatus.ATTESTED


def test_supporting_rule_failure_is_not_hidden_by_an_attestation(rules: RuleSet) -> None:
    a = att("1.2")
    s = states(rules, [RuleCount("t_user_shared", PROD, 1, 0, 0)], [a])["1.2"]
    assert (s.status, s.coverage, s.rules) == (ControlStatus.ATTESTED, CoverageKind.ATTESTED, ("t_user_shared",))
    s = states(rules, [RuleCount("t_user_shared", PROD, 1, 1, 0)], [a])["1.2"]
    assert s.status is ControlStatus.FAILING and s.coverage is CoverageKind.ATTESTED and s.note == "a supporting rule fails"
    s = states(rules, [RuleCount("t_user_shared", PROD, 1, 1, 0)])["1.2"]
    assert (s.status, s.coverage) == (ControlStatus.FAILING, CoverageKind.NONE)
    assert s.note == "a supporting rule fails; needs an attestation (mamori attest)"


def test_counts_are_per_account(rules: RuleSet) -> None:
    counts = [RuleCount("t_volume_unencrypted", PROD, 1, 1, 0), RuleCount("t_volume_unencrypted", DEV, 2, 0, 0)]
    assert states(rules, counts, account=DEV)["4.1"].status is ControlStatus.PASSING
    assert states(rules, counts, account=PROD)["4.1"].status is ControlStatus.FAILING
    assert states(rules, counts)["4.1"].passed == 3


def test_count_results_and_coverage_rows(rules: RuleSet) -> None:
    inv = estate(volumes={"v1": True, "v2": False}, buckets={"b1": False}, users={"u1": False})
    ev = evaluate(inv, rules)
    counts = count_results(ev.results)
    assert RuleCount("t_volume_unencrypted", PROD, 1, 1, 0) in counts
    rows = coverage_for_scan(mapping(rules), counts, [att("6.1")], [PROD], at=DAY1 + timedelta(days=1))
    overall = {(r.standard, r.account): r for r in rows if r.category == ALL}
    b = overall[("baseline", ALL)]
    assert (b.controls, b.machine, b.attested, b.not_covered) == (26, 2, 1, 23)
    assert (b.passing, b.failing) == (1, 1)
    assert b.machine + b.attested + b.not_covered == b.controls
    assert overall[("baseline", PROD)].attested == 1  # an organisation-wide attestation counts in every account
    cat4 = next(r for r in rows if r.standard == "baseline" and r.account == ALL and r.category == "4")
    assert (cat4.controls, cat4.machine, cat4.not_covered, cat4.failing) == (3, 1, 2, 1)
    cis = overall[("cis-aws-3.0", ALL)]
    assert cis.controls == len(standards()["cis-aws-3.0"].controls()) and cis.machine == 1


def test_explain_is_honest_about_coverage(rules: RuleSet) -> None:
    row = ScoreRow("baseline", ALL, ALL, 10, 2, 1, 713, 1000)
    cov = coverage(control_states(BASELINE, mapping(rules), [RuleCount("t_volume_unencrypted", PROD, 1, 0, 0)], [att("6.1")], at=DAY1))
    overall = next(c for c in cov if c.category == ALL)
    assert explain("baseline", row, overall) == (
        "baseline: 71.3% of machine-checked weight passing; 2 of 26 items checked by machine, 1 attested, 23 not covered"
    )
    assert explain("baseline", None, None) == "baseline: no machine-checked result"


def test_attestations_never_move_the_machine_score(rules: RuleSet) -> None:
    inv = estate(volumes={"v1": True, "v2": False})
    rows = {(r.standard, r.category): r.score for r in score(evaluate(inv, rules).results, rules) if r.account == ALL}
    assert rows[("baseline", ALL)] == 50.0 and ("baseline", "6") not in rows


def test_parse_expiry_and_attestable() -> None:
    now = DAY1
    assert parse_expiry("2026-12-31", now) == DAY1.replace(year=2027, month=1, day=1, hour=0)
    assert parse_expiry("90d", now) == now + timedelta(days=90)
    assert parse_expiry("1y", now) == now + timedelta(days=365)
    assert parse_expiry("2027-01-01T10:00:00", now).tzinfo is not None
    with pytest.raises(InputError, match="invalid expiry"):
        parse_expiry("soon", now)
    assert find_control(BASELINE, "6.1").title == "An incident response plan exists"
    with pytest.raises(InputError, match=r"did you mean 6\.1, 6\.2"):
        find_control(BASELINE, "6")
    with pytest.raises(InputError, match="checked by machine"):
        check_attestable(BASELINE.controls()["4.1"], "baseline", ["t_volume_unencrypted"])
    check_attestable(BASELINE.controls()["6.1"], "baseline", [])
    check_attestable(BASELINE.controls()["1.2"], "baseline", ["t_user_shared"])  # supporting rules do not forbid it
    check_attestable(BASELINE.controls()["4.3"], "baseline", [])  # automatable but unchecked: a stop-gap
