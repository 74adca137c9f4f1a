"""The policy: file errors with their line; ban, KEV, thresholds, fix-by deadlines and exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mamori.gate.deps.assess import Assessed
from mamori.gate.deps.errors import PolicyError
from mamori.gate.deps.evaluate import decide_package, evaluate
from mamori.gate.deps.kev import sample_kev
from mamori.gate.deps.model import Ecosystem, NoticeKind, Package, Rule, Verdict, Vulnerability, VulnId
from mamori.gate.deps.policy import DEFAULT_POLICY, Policy, find_policy, load_policy, parse_policy
from mamori.model.finding import Severity

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
NO_CRIT = Policy.model_validate({"block": {"critical_with_fix": False}})  # fix-by mechanics without rule 4
EXAMPLE = """\
version: 1
project: payments-api
team: payments
block:
  ids: [GHSA-qxxx-2pp7-5hmx]
  kev: true
  kev_catalog: kev.json
  severity_at_least: critical
fix_by:
  critical: 7
  high: 30
  medium: 90
  low: 180
  unknown: 60
exceptions:
  - id: CVE-2023-32681
    ecosystem: PyPI
    package: requests
    reason: only talks to internal hosts, no proxy credentials
    approver: security@example.com
    expires: 2026-12-31
"""


def vuln(vid: str = "GHSA-aaaa-bbbb-cccc", sev: Severity | None = Severity.HIGH, score: float | None = 7.5,
         aliases: tuple[str, ...] = ()) -> Vulnerability:  # fmt: skip
    return Vulnerability(VulnId(vid), aliases, "summary", sev, score, fixed=("9.9.9",))


def decision(v: Vulnerability, policy: Policy = DEFAULT_POLICY, *, first_seen: datetime | None = None,
             now: datetime = NOW, pkg: Package | None = None, kev: bool = True):  # type: ignore[no-untyped-def]  # fmt: skip
    pkg = pkg or Package(Ecosystem.PYPI, "requests", "2.19.0", "requirements.txt", 1)
    d, notices = decide_package(Assessed(pkg, ("requirements.txt:1",), (v,), "9.9.9"), policy,
                                sample_kev() if kev else None, lambda p, x: first_seen, now)  # fmt: skip
    return d, notices


def test_the_documented_example_loads() -> None:
    p = parse_policy(EXAMPLE, "mamori-policy.yaml")
    assert p.project == "payments-api" and p.team == "payments"
    assert p.block.severity_at_least is Severity.CRITICAL and p.block.kev is True
    assert p.fix_by.days(None) == 60 and p.fix_by.days(Severity.HIGH) == 30
    assert p.exceptions[0].expires == date(2026, 12, 31)


def test_docs_example_is_the_tested_one() -> None:
    docs = Path(__file__).parents[3] / "docs" / "deps.md"
    assert EXAMPLE.strip() in docs.read_text(), "docs/deps.md must show the tested policy example"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("block:\n  ids: [a, b\n", "p.yaml:3:1: invalid YAML"),
        ("block:\n  kev: true\n  sevrity: high\n", "p.yaml:3: block.sevrity: Extra inputs are not permitted"),
        (
            "block:\n  severity_at_least: catastrophic\n",
            "p.yaml:2: block.severity_at_least: Value error, unknown severity",
        ),
        ("fix_by:\n  high: -1\n", "p.yaml:2: fix_by.high: Input should be greater than or equal to 0"),
        (
            "exceptions:\n  - id: X\n    reason: r\n    expires: 2026-01-01\n",
            "p.yaml:2: exceptions.0.approver: Field required",
        ),
        (
            "exceptions:\n  - id: X\n    reason: r\n    approver: a\n    expires: someday\n",
            "p.yaml:5: exceptions.0.expires",
        ),
        ("version: 2\n", "p.yaml:1: version: Input should be 1"),
        ("team: a\nteam: b\n", "p.yaml:2: duplicate key 'team'"),
        ("- just\n- a list\n", "p.yaml:1: the policy must be a mapping"),
    ],
)
def test_bad_policies_name_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy(text, "p.yaml")
    assert str(err.value).startswith(expected), str(err.value)


def test_policy_discovery_and_empty_file(tmp_path: Path) -> None:
    assert find_policy(tmp_path) is None
    (tmp_path / "mamori-policy.yml").write_text("")
    assert find_policy(tmp_path) == tmp_path / "mamori-policy.yml"
    assert load_policy(tmp_path / "mamori-policy.yml") == DEFAULT_POLICY
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")


def test_banned_id_or_alias_blocks() -> None:
    policy = Policy.model_validate({"block": {"ids": ["cve-2017-7525"]}})
    d, _ = decision(vuln("GHSA-qxxx-2pp7-5hmx", aliases=("CVE-2017-7525",)), policy)
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.BANNED and "CVE-2017-7525 is banned" in d.reason


def test_kev_blocks_unless_turned_off() -> None:
    v = vuln("GHSA-jfh8-c2jp-5v3q", Severity.CRITICAL, 10.0, aliases=("CVE-2021-44228",))
    d, _ = decision(v)
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.KEV and "Known Exploited" in d.reason
    d, _ = decision(v, Policy.model_validate({"block": {"kev": False}}))
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.CRITICAL_FIXABLE  # the default's next rule
    d, _ = decision(v, Policy.model_validate({"block": {"kev": False, "critical_with_fix": False}}))
    assert d.verdict is Verdict.FIX_BY
    d, _ = decision(v, NO_CRIT, kev=False)
    assert d.verdict is Verdict.FIX_BY


@pytest.mark.parametrize(
    ("block", "sev", "score", "verdict"),
    [
        ({"severity_at_least": "high"}, Severity.HIGH, 7.5, Verdict.BLOCK),
        ({"severity_at_least": "high"}, Severity.CRITICAL, 9.8, Verdict.BLOCK),
        ({"severity_at_least": "high"}, Severity.MEDIUM, 6.1, Verdict.FIX_BY),
        ({"severity_at_least": "high"}, None, None, Verdict.FIX_BY),  # unknown never meets a threshold
        ({"cvss_at_least": 9.0}, Severity.CRITICAL, 9.0, Verdict.BLOCK),
        ({"cvss_at_least": 9.0}, Severity.HIGH, 8.9, Verdict.FIX_BY),
    ],
)
def test_severity_thresholds(
    block: dict, sev: Severity | None, score: float | None, verdict: Verdict
) -> None:
    d, _ = decision(vuln(sev=sev, score=score), Policy.model_validate({"block": {**block, "critical_with_fix": False}}))
    assert d.verdict is verdict
    if verdict is Verdict.BLOCK:
        assert d.rule is Rule.SEVERITY


def test_fix_by_deadline_counts_from_first_seen() -> None:
    first = NOW - timedelta(days=10)
    d, _ = decision(vuln(sev=Severity.HIGH), first_seen=first)
    assert d.verdict is Verdict.FIX_BY and d.deadline == (first + timedelta(days=30)).date()
    assert d.reason.startswith(f"GHSA-aaaa-bbbb-cccc: fix by {d.deadline.isoformat()}")
    # never seen before: the clock starts now
    d, _ = decision(vuln(sev=Severity.CRITICAL, score=9.8), NO_CRIT)
    assert d.deadline == date(2026, 6, 8)
    # the deadline day itself is still in time; the day after blocks
    on_time, _ = decision(vuln(sev=Severity.HIGH), first_seen=NOW - timedelta(days=30))
    late, _ = decision(vuln(sev=Severity.HIGH), first_seen=NOW - timedelta(days=31))
    assert on_time.verdict is Verdict.FIX_BY
    assert late.verdict is Verdict.BLOCK and late.rule is Rule.DEADLINE_PASSED and "has passed" in late.reason


def test_null_days_mean_no_deadline() -> None:
    d, _ = decision(vuln(sev=Severity.INFORMATIONAL, score=0.0))
    assert d.verdict is Verdict.PASS and d.rule is Rule.NO_DEADLINE


def test_exceptions_apply_exactly_until_they_expire() -> None:
    policy = parse_policy(EXAMPLE, "p.yaml")
    v = vuln("GHSA-j8r2-6x86-q33q", Severity.MEDIUM, 6.1, aliases=("CVE-2023-32681",))
    d, notices = decision(v, policy)
    assert d.verdict is Verdict.PASS and d.rule is Rule.EXCEPTION and "security@example.com" in d.reason
    assert notices == []
    # the expiry day still counts; the day after it no longer does, and says so
    d, _ = decision(v, policy, now=datetime(2026, 12, 31, 23, tzinfo=UTC))
    assert d.rule is Rule.EXCEPTION
    d, notices = decision(v, policy, now=datetime(2027, 1, 1, tzinfo=UTC), first_seen=NOW)
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.DEADLINE_PASSED
    assert notices[0].kind is NoticeKind.EXCEPTION_EXPIRED and "expired on 2026-12-31" in notices[0].message
    # scoped to PyPI requests: the same CVE in another package is not excepted
    other = Package(Ecosystem.PYPI, "requests-toolbelt", "0.9.0")
    d, _ = decision(v, policy, pkg=other)
    assert d.verdict is Verdict.FIX_BY


def test_an_exception_does_not_lift_other_vulnerabilities_of_the_package() -> None:
    policy = parse_policy(EXAMPLE, "p.yaml")
    pkg = Package(Ecosystem.PYPI, "requests", "2.19.0")
    item = Assessed(pkg, ("r.txt:1",), (vuln("GHSA-j8r2-6x86-q33q", aliases=("CVE-2023-32681",)),
                                        vuln("GHSA-qxxx-2pp7-5hmx")), None)  # fmt: skip
    d, _ = decide_package(item, policy, None, lambda p, v: None, NOW)
    assert d.verdict is Verdict.BLOCK and d.reason.startswith(
        "GHSA-qxxx-2pp7-5hmx: GHSA-qxxx-2pp7-5hmx is banned"
    )


def test_unpinned_is_reported_or_blocked() -> None:
    item = Assessed(Package(Ecosystem.PYPI, "flask", None, "r.txt", 3, spec=">=2.0"), ("r.txt:3",))
    d, _ = decide_package(item, DEFAULT_POLICY, None, lambda p, v: None, NOW)
    assert d.verdict is Verdict.UNPINNED and ">=2.0" in d.reason
    d, _ = decide_package(
        item, Policy.model_validate({"block": {"unpinned": True}}), None, lambda p, v: None, NOW
    )
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.UNPINNED


def test_package_verdict_is_the_worst_and_fix_by_the_earliest() -> None:
    pkg = Package(Ecosystem.PYPI, "x", "1.0")
    item = Assessed(pkg, ("r.txt:1",), (vuln("GHSA-1111-1111-1111", Severity.LOW, 3.0),
                                        vuln("GHSA-2222-2222-2222", Severity.CRITICAL, 9.1)), "2.0")  # fmt: skip
    decisions, _ = evaluate([item], NO_CRIT, None, lambda p, v: None, NOW)
    assert decisions[0].verdict is Verdict.FIX_BY and decisions[0].deadline == date(2026, 6, 8)
    assert decisions[0].reason.endswith("(+1 more)")


def test_default_policy_blocks_critical_with_a_fix_and_gives_the_rest_a_deadline() -> None:
    crit = vuln("GHSA-qxxx-2pp7-5hmx", Severity.CRITICAL, 9.8, aliases=("CVE-2017-7525",))
    d, _ = decision(crit, kev=False)
    assert d.verdict is Verdict.BLOCK and d.rule is Rule.CRITICAL_FIXABLE and "fixed version exists" in d.reason
    nofix = Vulnerability(VulnId("GHSA-dddd-eeee-ffff"), (), "s", Severity.CRITICAL, 9.8)
    d, _ = decision(nofix, kev=False)
    assert d.verdict is Verdict.FIX_BY and d.deadline == date(2026, 6, 8)
    d, _ = decision(vuln(sev=Severity.HIGH, score=8.8), kev=False)
    assert d.verdict is Verdict.FIX_BY and d.deadline == date(2026, 7, 1)


def test_jackson_2_1_0_and_log4j_2_14_1_block_under_the_default_policy(sample_source) -> None:  # type: ignore[no-untyped-def]
    from mamori.gate.deps.assess import assess

    items, _ = assess([Package(Ecosystem.MAVEN, "com.fasterxml.jackson.core:jackson-databind", "2.1.0"),
                       Package(Ecosystem.MAVEN, "org.apache.logging.log4j:log4j-core", "2.14.1")], sample_source)  # fmt: skip
    decisions, _ = evaluate(items, DEFAULT_POLICY, sample_kev(), lambda p, v: None, NOW)
    by_name = {d.package.name.split(":")[1]: d for d in decisions}
    assert by_name["jackson-databind"].verdict is Verdict.BLOCK
    assert by_name["jackson-databind"].rule is Rule.CRITICAL_FIXABLE
    assert by_name["log4j-core"].verdict is Verdict.BLOCK and by_name["log4j-core"].rule is Rule.KEV
    # without the KEV catalogue log4j still blocks: critical with a fix
    decisions, _ = evaluate(items, DEFAULT_POLICY, None, lambda p, v: None, NOW)
    assert all(d.verdict is Verdict.BLOCK for d in decisions)
