"""Match packages against advisories and merge aliases: the policy-free half of an audit.

One vulnerability per group of advisories that name each other (an advisory's id and
aliases; ``GHSA-j8r2-6x86-q33q`` and ``PYSEC-2023-74`` both alias ``CVE-2023-32681``, so
they are one vulnerability, reported once with every id). The id shown is the GHSA id
when there is one, then another database's id, then the CVE.

The upgrade target of a package is the smallest version above the current one that no
known advisory of the package affects -- every advisory the source holds for the package,
not only those of the current version (requests 2.2.1 -> 2.31.0, not 2.20.0, which
CVE-2023-32681 affects). Candidates are the ``fixed`` versions the advisories name; when
none of them clears every advisory there is no such version, and the report says so.
An online (authoritative) source returns only the advisories of the current version, so
its target clears those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mamori.gate.deps.model import Ecosystem, Notice, NoticeKind, Package, Vulnerability, VulnId
from mamori.gate.deps.osv.interface import AdvisorySource, key_of
from mamori.gate.deps.osv.match import Match, is_affected, match, names_match
from mamori.gate.deps.osv.record import Advisory, EventKind, RangeType
from mamori.gate.deps.severity import assess as assess_severity
from mamori.gate.deps.versions import parse_version, sort_versions
from mamori.model.finding import Severity


@dataclass(frozen=True)
class Assessed:
    """One distinct package (ecosystem, name, version or range) and what affects it."""

    package: Package
    sources: tuple[str, ...]
    vulns: tuple[Vulnerability, ...] = ()
    upgrade_to: str | None = None
    upgrade_note: str | None = None  # why there is no upgrade target, when a package is vulnerable


def _id_rank(vid: str) -> tuple[int, str]:
    u = vid.upper()
    return (0 if u.startswith("GHSA-") else 2 if u.startswith("CVE-") else 1, vid)


def merge(ecosystem: Ecosystem, matches: Sequence[Match]) -> list[Vulnerability]:
    """Group matches whose ids and aliases meet, one Vulnerability per group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for m in matches:
        for alias in m.advisory.aliases:
            parent[find(alias)] = find(m.advisory.id)
    groups: dict[str, list[Match]] = {}
    for m in matches:
        groups.setdefault(find(m.advisory.id), []).append(m)
    out = [_vulnerability(ecosystem, ms) for ms in groups.values()]
    return sorted(out, key=lambda v: (-(v.score or 0.0), -(v.severity.rank if v.severity else -1), v.id))


def _vulnerability(ecosystem: Ecosystem, matches: list[Match]) -> Vulnerability:
    advisories = sorted((m.advisory for m in matches), key=lambda a: _id_rank(a.id))
    lead = advisories[0]
    ids = {a.id for a in advisories} | {x for a in advisories for x in a.aliases}
    best: tuple[Severity | None, float | None] = (None, None)
    for a in advisories:
        entry_sev = next((e.severity for e in a.affected if e.severity), None)
        sev, score = assess_severity(a, entry_sev)
        if (score or -1.0, sev.rank if sev else -1) > (best[1] or -1.0, best[0].rank if best[0] else -1):
            best = (sev, score)
    fixed = sort_versions(ecosystem, list(dict.fromkeys(f for m in matches for f in m.fixed)))
    return Vulnerability(
        id=VulnId(lead.id),
        aliases=tuple(sorted(ids - {lead.id}, key=_id_rank)),
        summary=next((a.summary for a in advisories if a.summary), ""),
        severity=best[0],
        score=best[1],
        vectors=tuple(dict.fromkeys(v for a in advisories for _, v in a.severity)),
        fixed=tuple(fixed),
        references=tuple(dict.fromkeys(r for a in advisories for r in a.references))[:5],
        published=min((a.published for a in advisories if a.published), default=None),
        exploits=tuple(dict.fromkeys(x for a in advisories for x in a.exploits)),
    )


def upgrade_target(package: Package, advisories: Sequence[Advisory]) -> str | None:
    """The smallest version above the current one that none of ``advisories`` affects, or None.

    ``advisories``: every known advisory of the package (not only the matched ones); the
    candidates are the ``fixed`` versions they name for this package.
    """
    eco, version = package.ecosystem, package.version
    current = parse_version(eco, version or "")
    if current is None:
        return None
    lookup = package.lookup_name
    candidates = {
        e.version
        for adv in advisories
        if not adv.withdrawn
        for a in adv.affected
        if a.ecosystem == eco.value and names_match(eco, a.name, lookup)
        for r in a.ranges
        if r.type is not RangeType.GIT
        for e in r.events
        if e.kind is EventKind.FIXED
    }
    above = [
        c for c in sort_versions(eco, list(candidates)) if (pc := parse_version(eco, c)) and pc > current
    ]
    for c in above:
        if not any(is_affected(adv, eco, package.name, c) for adv in advisories):
            return c
    return None


def _fallback(advisory: Advisory, package: Package) -> Match:
    """An authoritative source said affected where the local comparison could not tell."""
    fixed = tuple(
        e.version
        for a in advisory.affected
        if a.name == package.name
        for r in a.ranges
        if r.type is not RangeType.GIT
        for e in r.events
        if e.kind is EventKind.FIXED
    )
    return Match(advisory, fixed, None, uncertain=True)


def assess(packages: Sequence[Package], source: AdvisorySource) -> tuple[list[Assessed], list[Notice]]:
    """Distinct packages with their vulnerabilities; notices for versions that cannot be compared."""
    groups: dict[tuple[Ecosystem, str, str | None, str | None], list[Package]] = {}
    for p in packages:
        groups.setdefault((p.ecosystem, p.lookup_name, p.version, None if p.version else p.spec), []).append(
            p
        )
    reps = [ps[0] for ps in groups.values()]
    candidates = source.advisories_for([p for p in reps if p.version is not None])
    notices: list[Notice] = []
    out: list[Assessed] = []
    for ps in groups.values():
        rep = ps[0]
        sources = tuple(dict.fromkeys(p.location for p in ps))
        if rep.version is None:
            out.append(Assessed(rep, sources))
            continue
        advisories = candidates.get(key_of(rep), [])
        if advisories and parse_version(rep.ecosystem, rep.version) is None:
            notices.append(
                Notice(
                    NoticeKind.UNSUPPORTED,
                    f"{rep.name} {rep.version} is not a {rep.ecosystem.value} version this gate can compare; "
                    "only advisories that list it exactly were checked",
                    rep.source,
                    rep.line,
                )
            )
        matches: list[Match] = []
        for adv in advisories:
            m = match(adv, rep.ecosystem, rep.name, rep.version)
            if m is None and source.authoritative:
                m = _fallback(adv, rep)
            if m is not None:
                matches.append(m)
        if not matches:
            out.append(Assessed(rep, sources))
            continue
        known = advisories
        target = upgrade_target(rep, known)
        note = None
        if target is None:
            note = f"no known version clears every advisory of {rep.name} ({len(known)} known)"
        out.append(Assessed(rep, sources, tuple(merge(rep.ecosystem, matches)), target, note))
    return out, notices
