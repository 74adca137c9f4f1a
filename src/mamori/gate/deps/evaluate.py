"""Apply a policy to assessed packages: BLOCK, FIX_BY (with a deadline) or PASS, and why.

Pure: "now", the KEV catalogue and when each vulnerability was first seen in the project
are passed in (``first_seen`` comes from the store, so the clock does not reset between
runs; a vulnerability never seen before starts its clock now).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from mamori.gate.deps.assess import Assessed
from mamori.gate.deps.kev import KevCatalog
from mamori.gate.deps.model import (
    Notice,
    NoticeKind,
    Package,
    PackageDecision,
    Rule,
    Verdict,
    VulnDecision,
    Vulnerability,
)
from mamori.gate.deps.output.interface import purl
from mamori.gate.deps.policy import Policy
from mamori.gate.deps.vex import VexIndex
from mamori.model.finding import Severity

FirstSeen = Callable[[Package, Vulnerability], datetime | None]


def _sev(v: Vulnerability) -> str:
    label = v.severity.value if v.severity else "unknown severity"
    return f"{label} ({v.score:.1f})" if v.score is not None else label


def decide(
    vuln: Vulnerability,
    package: Package,
    policy: Policy,
    kev: KevCatalog | None,
    first_seen: datetime,
    now: datetime,
    vex: VexIndex | None = None,
) -> tuple[VulnDecision, Notice | None]:
    """The verdict on one vulnerability of one package, and a notice when an exception has expired.

    A VEX statement (``vex``) that says not_affected (with a justification) or fixed for this
    package passes it; affected / under_investigation are recorded on the decision.
    """
    d, notice = _decide(vuln, package, policy, kev, first_seen, now)
    stmt = vex.find(vuln.ids, purl(package)) if vex is not None and package.version else None
    if stmt is None:
        return d, notice
    if stmt.suppresses:
        return VulnDecision(vuln, Verdict.PASS, Rule.VEX, stmt.describe(), first_seen, None, stmt.status,
                            stmt.describe()), notice  # fmt: skip
    return dataclasses.replace(d, vex_status=stmt.status, vex_note=stmt.describe()), notice


def _decide(
    vuln: Vulnerability,
    package: Package,
    policy: Policy,
    kev: KevCatalog | None,
    first_seen: datetime,
    now: datetime,
) -> tuple[VulnDecision, Notice | None]:
    today = now.date()
    notice = None
    for exc in policy.exceptions:
        if not exc.covers(vuln.ids, package.ecosystem, package.name, package.version):
            continue
        if exc.active(today):
            reason = f"exception until {exc.expires.isoformat()} approved by {exc.approver}: {exc.reason}"
            return VulnDecision(vuln, Verdict.PASS, Rule.EXCEPTION, reason, first_seen), None
        notice = Notice(
            NoticeKind.EXCEPTION_EXPIRED,
            f"the exception for {exc.id} on {package.name} (approved by {exc.approver}) expired on "
            f"{exc.expires.isoformat()} and no longer applies",
        )
    banned = policy.banned(vuln.ids)
    if banned:
        return VulnDecision(
            vuln, Verdict.BLOCK, Rule.BANNED, f"{banned[0]} is banned by policy", first_seen
        ), notice
    if kev is not None and policy.block.kev is not False:
        listed = kev.listed(vuln.ids)
        if listed:
            reason = f"{listed[0]} is in CISA's Known Exploited Vulnerabilities catalogue"
            return VulnDecision(vuln, Verdict.BLOCK, Rule.KEV, reason, first_seen), notice
    if policy.block.critical_with_fix and vuln.severity is Severity.CRITICAL and vuln.fixed:
        reason = f"{_sev(vuln)} and a fixed version exists ({', '.join(vuln.fixed[:3])})"
        return VulnDecision(vuln, Verdict.BLOCK, Rule.CRITICAL_FIXABLE, reason, first_seen), notice
    threshold = policy.block.severity_at_least
    if threshold is not None and vuln.severity is not None and vuln.severity.at_least(threshold):
        reason = f"{_sev(vuln)} is at or above the block threshold ({threshold.value})"
        return VulnDecision(vuln, Verdict.BLOCK, Rule.SEVERITY, reason, first_seen), notice
    cvss = policy.block.cvss_at_least
    if cvss is not None and vuln.score is not None and vuln.score >= cvss:
        reason = f"CVSS {vuln.score:.1f} is at or above the block threshold ({cvss:.1f})"
        return VulnDecision(vuln, Verdict.BLOCK, Rule.SEVERITY, reason, first_seen), notice
    days = policy.fix_by.days(vuln.severity)
    label = vuln.severity.value if vuln.severity else "unknown"
    if days is None:
        reason = f"{label}: no fix-by deadline in the policy"
        return VulnDecision(vuln, Verdict.PASS, Rule.NO_DEADLINE, reason, first_seen), notice
    deadline = first_seen.date() + timedelta(days=days)
    since = f"{label}: {days} days from first seen {first_seen.date().isoformat()}"
    if today > deadline:
        reason = f"fix-by deadline {deadline.isoformat()} has passed ({since})"
        return VulnDecision(vuln, Verdict.BLOCK, Rule.DEADLINE_PASSED, reason, first_seen, deadline), notice
    reason = f"fix by {deadline.isoformat()} ({since})"
    return VulnDecision(vuln, Verdict.FIX_BY, Rule.DEADLINE, reason, first_seen, deadline), notice


def _worst(decisions: Sequence[VulnDecision]) -> VulnDecision:
    def key(d: VulnDecision) -> tuple[int, int]:
        # among FIX_BY, the earliest deadline is the one that matters
        return (d.verdict.rank, -(d.deadline or date.max).toordinal())

    return max(decisions, key=key)


def decide_package(
    item: Assessed,
    policy: Policy,
    kev: KevCatalog | None,
    first_seen: FirstSeen,
    now: datetime,
    vex: VexIndex | None = None,
) -> tuple[PackageDecision, list[Notice]]:
    pkg = item.package
    if pkg.version is None:
        verdict = Verdict.BLOCK if policy.block.unpinned else Verdict.UNPINNED
        reason = f"not pinned ({pkg.spec}): pin an exact version in a lockfile to audit it"
        return PackageDecision(pkg, verdict, Rule.UNPINNED, reason, item.sources), []
    if not item.vulns:
        return PackageDecision(pkg, Verdict.PASS, Rule.CLEAN, "no known vulnerabilities", item.sources), []
    decisions: list[VulnDecision] = []
    notices: list[Notice] = []
    for v in item.vulns:
        d, n = decide(v, pkg, policy, kev, first_seen(pkg, v) or now, now, vex)
        decisions.append(d)
        if n is not None:
            notices.append(n)
    worst = _worst(decisions)
    same = [d for d in decisions if d.verdict is worst.verdict]
    reason = f"{worst.vulnerability.id}: {worst.reason}"
    if len(same) > 1:
        reason += f" (+{len(same) - 1} more)"
    deadline = worst.deadline if worst.verdict is not Verdict.PASS else None
    decision = PackageDecision(
        pkg, worst.verdict, worst.rule, reason, item.sources, deadline, item.upgrade_to, tuple(decisions),
        item.upgrade_note,
    )
    return decision, notices


def evaluate(
    items: Sequence[Assessed],
    policy: Policy,
    kev: KevCatalog | None,
    first_seen: FirstSeen,
    now: datetime,
    vex: VexIndex | None = None,
) -> tuple[list[PackageDecision], list[Notice]]:
    decisions: list[PackageDecision] = []
    notices: list[Notice] = []
    for item in items:
        d, ns = decide_package(item, policy, kev, first_seen, now, vex)
        decisions.append(d)
        notices.extend(n for n in ns if n not in notices)
    order = {Verdict.BLOCK: 0, Verdict.FIX_BY: 1, Verdict.UNPINNED: 2, Verdict.PASS: 3}
    decisions.sort(key=lambda d: (order[d.verdict], 0 if d.vulns else 1, d.package.ecosystem.value,
                                  d.package.lookup_name, d.package.version or ""))  # fmt: skip
    return decisions, notices
