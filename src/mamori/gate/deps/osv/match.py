"""Does an OSV advisory affect a package version? (OSV schema, "Evaluation").

For each ECOSYSTEM or SEMVER range, events are sorted by version (``introduced: "0"``
first) and walked in order: ``introduced <= v`` turns affected on, ``fixed <= v`` and
``last_affected < v`` turn it off; when the range has ``limit`` events, ``v`` must also be
below one of them (``limit: "*"`` is no limit). A version listed in ``versions`` is affected
whatever the ranges say. GIT ranges are ignored (lockfiles carry versions, not commits).

ECOSYSTEM ranges compare with the ecosystem's own scheme (``mamori.gate.deps.versions``);
SEMVER ranges always compare as SemVer 2.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mamori.gate.deps.model import Ecosystem, normalize_name
from mamori.gate.deps.osv.record import Advisory, Affected, AffectedRange, EventKind, RangeType
from mamori.gate.deps.versions import parse_version

_SEMVER = Ecosystem.NPM  # its scheme is plain SemVer 2.0, which SEMVER ranges use whatever the ecosystem


@dataclass(frozen=True, slots=True)
class Match:
    """An advisory that affects a package version, and the versions that fix it."""

    advisory: Advisory
    fixed: tuple[str, ...]  # every ``fixed`` event of the advisory for this package
    next_fixed: str | None  # the smallest fix above the version, within a range that matched
    uncertain: bool = False  # some range could not be evaluated (unreadable versions)


def _scheme(ecosystem: Ecosystem, rtype: RangeType) -> Ecosystem:
    return _SEMVER if rtype is RangeType.SEMVER else ecosystem


def _range_hit(ecosystem: Ecosystem, version: str, r: AffectedRange) -> tuple[bool, str | None, bool]:
    """(affected, the next fix within this range, evaluable)."""
    scheme = _scheme(ecosystem, r.type)
    v = parse_version(scheme, version)
    if v is None:
        return False, None, False
    events: list[tuple[Any, EventKind, str]] = []
    zero: list[tuple[Any, EventKind, str]] = []
    limits: list[Any] = []
    for e in r.events:
        if e.kind is EventKind.INTRODUCED and e.version == "0":
            zero.append((None, e.kind, e.version))
            continue
        if e.kind is EventKind.LIMIT and e.version == "*":
            continue
        pv = parse_version(scheme, e.version)
        if pv is None:
            return False, None, False
        if e.kind is EventKind.LIMIT:
            limits.append(pv)
        else:
            events.append((pv, e.kind, e.version))
    if limits and not any(v < lim for lim in limits):
        return False, None, True
    events.sort(key=lambda t: t[0])
    affected = False
    for pv, kind, _ in (*zero, *events):
        if kind is EventKind.INTRODUCED:
            if pv is None or v >= pv:
                affected = True
        elif kind is EventKind.FIXED:
            if v >= pv:
                affected = False
        elif kind is EventKind.LAST_AFFECTED and v > pv:
            affected = False
    if not affected:
        return False, None, True
    nxt = next((raw for pv, kind, raw in events if kind is EventKind.FIXED and pv > v), None)
    return True, nxt, True


def _in_versions(ecosystem: Ecosystem, version: str, listed: tuple[str, ...]) -> bool:
    if not listed:
        return False
    if version in listed:
        return True
    v = parse_version(ecosystem, version)
    return v is not None and any(parse_version(ecosystem, x) == v for x in listed)


def affected_entry(ecosystem: Ecosystem, version: str, entry: Affected) -> tuple[bool, str | None, bool]:
    """(affected, next fix, every range evaluable) for one ``affected[]`` entry."""
    hit, nxt, evaluable = False, None, True
    for r in entry.ranges:
        if r.type is RangeType.GIT:
            continue
        h, n, ok = _range_hit(ecosystem, version, r)
        evaluable = evaluable and ok
        if h:
            hit = True
            if n is not None and (nxt is None or _lt(ecosystem, n, nxt)):
                nxt = n
    if not hit and _in_versions(ecosystem, version, entry.versions):
        hit = True
    return hit, nxt, evaluable


def _lt(ecosystem: Ecosystem, a: str, b: str) -> bool:
    pa, pb = parse_version(ecosystem, a), parse_version(ecosystem, b)
    return bool(pa is not None and pb is not None and pa < pb)


def match(advisory: Advisory, ecosystem: Ecosystem, name: str, version: str) -> Match | None:
    """The Match when ``advisory`` affects ``name@version`` (name as the advisory spells it)."""
    if advisory.withdrawn:
        return None
    lookup = normalize_name(ecosystem, name)
    entries = [
        a
        for a in advisory.affected
        if a.ecosystem == ecosystem.value and names_match(ecosystem, a.name, lookup)
    ]
    hit, nxt, uncertain = False, None, False
    fixed: list[str] = []
    for entry in entries:
        h, n, ok = affected_entry(ecosystem, version, entry)
        uncertain = uncertain or not ok
        fixed.extend(
            e.version
            for r in entry.ranges
            if r.type is not RangeType.GIT
            for e in r.events
            if e.kind is EventKind.FIXED
        )
        if h:
            hit = True
            if n is not None and (nxt is None or _lt(ecosystem, n, nxt)):
                nxt = n
    if not hit:
        return None
    return Match(advisory, tuple(dict.fromkeys(fixed)), nxt, uncertain)


def names_match(ecosystem: Ecosystem, advisory_name: str, lookup: str) -> bool:
    """Whether an advisory's package name covers a lockfile name (already normalised).

    Go advisories sometimes name a package inside a module (``golang.org/x/text/language``)
    where go.mod names the module (``golang.org/x/text``): a package path under the module
    matches, unless the next path element is a major-version suffix (``/v2`` is another module).
    """
    name = normalize_name(ecosystem, advisory_name)
    if name == lookup:
        return True
    if ecosystem is Ecosystem.GO and name.startswith(lookup + "/"):
        head = name[len(lookup) + 1 :].split("/", 1)[0]
        return not (len(head) > 1 and head[0] == "v" and head[1:].isdigit())
    return False


def go_prefixes(path: str) -> list[str]:
    """The module paths a Go package path may belong to (``a.b/c/d`` -> ``a.b/c``), longest first."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts) - 1, 1, -1)]


def is_affected(advisory: Advisory, ecosystem: Ecosystem, name: str, version: str) -> bool:
    return match(advisory, ecosystem, name, version) is not None
