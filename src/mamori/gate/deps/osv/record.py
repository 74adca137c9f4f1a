"""OSV records (https://ossf.github.io/osv-schema/) as frozen values.

Only the fields the gate uses are kept; ``trim`` reduces a full record to them so the
offline index stays small. Withdrawn records are kept but never match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from mamori.gate.deps.errors import AdvisoryDataError
from mamori.gate.deps.model import VulnId


class EventKind(str, Enum):
    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


class RangeType(str, Enum):
    ECOSYSTEM = "ECOSYSTEM"
    SEMVER = "SEMVER"
    GIT = "GIT"


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    version: str


@dataclass(frozen=True, slots=True)
class AffectedRange:
    type: RangeType
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Affected:
    ecosystem: str
    name: str
    ranges: tuple[AffectedRange, ...] = ()
    versions: tuple[str, ...] = ()
    severity: str | None = None  # ecosystem_specific / database_specific severity of this entry


@dataclass(frozen=True, slots=True)
class Advisory:
    id: VulnId
    aliases: tuple[str, ...] = ()
    summary: str = ""
    modified: str = ""
    published: str | None = None
    withdrawn: str | None = None
    severity: tuple[tuple[str, str], ...] = ()  # (type, vector), e.g. ("CVSS_V3", "CVSS:3.1/...")
    db_severity: str | None = None
    affected: tuple[Affected, ...] = ()
    references: tuple[str, ...] = ()
    exploits: tuple[str, ...] = ()  # references of type EXPLOIT, or on a known exploit archive

    def affecting(self, ecosystem: str, name: str) -> tuple[Affected, ...]:
        return tuple(a for a in self.affected if a.ecosystem == ecosystem and a.name == name)


_KEEP = ("id", "aliases", "upstream", "summary", "modified", "published", "withdrawn", "severity")
_MAX_REFS = 5


def _severity_word(obj: Any) -> str | None:
    if isinstance(obj, Mapping):
        v = obj.get("severity")
        if isinstance(v, str) and v:
            return v
    return None


def trim(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the gate uses, in OSV's own shape."""
    out: dict[str, Any] = {k: raw[k] for k in _KEEP if k in raw}
    if not out.get("summary") and isinstance(raw.get("details"), str):
        out["summary"] = raw["details"].strip().split("\n", 1)[0][:200]
    sev = _severity_word(raw.get("database_specific"))
    if sev:
        out["database_specific"] = {"severity": sev}
    affected = []
    for a in raw.get("affected") or ():
        if not isinstance(a, Mapping):
            continue
        entry = {k: a[k] for k in ("package", "ranges", "versions") if k in a}
        for key in ("ecosystem_specific", "database_specific"):
            word = _severity_word(a.get(key))
            if word:
                entry["ecosystem_specific"] = {"severity": word}
        affected.append(entry)
    out["affected"] = affected
    refs = [r for r in raw.get("references") or () if isinstance(r, Mapping) and r.get("url")]
    refs.sort(key=lambda r: 0 if r.get("type") == "ADVISORY" else 1)
    kept = refs[:_MAX_REFS]
    kept += [r for r in refs[_MAX_REFS:] if is_exploit_ref(r)][:_MAX_REFS]  # exploit evidence is kept
    out["references"] = [{"type": r.get("type", "WEB"), "url": r["url"]} for r in kept]
    return out


# archives of public exploit code: a reference there is a public proof of concept (SSVC "PoC")
EXPLOIT_HOSTS = ("exploit-db.com", "www.exploit-db.com", "packetstormsecurity.com", "packetstorm.news")


def is_exploit_ref(ref: Mapping[str, Any]) -> bool:
    if str(ref.get("type", "")).upper() == "EXPLOIT":
        return True
    url = str(ref.get("url", ""))
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return host in EXPLOIT_HOSTS


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str | int | float))


def _ranges(raw: Any, where: str) -> tuple[AffectedRange, ...]:
    out = []
    for r in raw or ():
        if not isinstance(r, Mapping):
            raise AdvisoryDataError("a range is not an object", source=where)
        try:
            rtype = RangeType(str(r.get("type", "")).upper())
        except ValueError:
            continue  # an unknown range type cannot be evaluated; OSV allows others to be added
        events = []
        for e in r.get("events") or ():
            if not isinstance(e, Mapping) or len(e) != 1:
                raise AdvisoryDataError(
                    f"a {rtype.value} range event must have exactly one key", source=where
                )
            ((k, v),) = e.items()
            try:
                events.append(Event(EventKind(k), str(v)))
            except ValueError:
                raise AdvisoryDataError(f"unknown range event {k!r}", source=where) from None
        out.append(AffectedRange(rtype, tuple(events)))
    return tuple(out)


def parse_advisory(raw: Any, *, source: str = "") -> Advisory:
    """An Advisory from an OSV record (full or trimmed); AdvisoryDataError names the record when it is bad."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise AdvisoryDataError("not an OSV record (no string 'id')", source=source)
    where = f"{source}#{raw['id']}" if source else raw["id"]
    affected = []
    for a in raw.get("affected") or ():
        pkg = a.get("package") if isinstance(a, Mapping) else None
        if not isinstance(pkg, Mapping) or not pkg.get("name") or not pkg.get("ecosystem"):
            continue  # entries without a package (e.g. only a git repo) do not concern lockfiles
        affected.append(
            Affected(
                ecosystem=str(pkg["ecosystem"]),
                name=str(pkg["name"]),
                ranges=_ranges(a.get("ranges"), where),
                versions=_str_list(a.get("versions")),
                severity=_severity_word(a.get("ecosystem_specific"))
                or _severity_word(a.get("database_specific")),
            )
        )
    severity = tuple(
        (str(s.get("type", "")), str(s.get("score", "")))
        for s in raw.get("severity") or ()
        if isinstance(s, Mapping) and s.get("score")
    )
    raw_refs = [r for r in raw.get("references") or () if isinstance(r, Mapping) and r.get("url")]
    refs = tuple(str(r["url"]) for r in raw_refs)
    exploits = tuple(str(r["url"]) for r in raw_refs if is_exploit_ref(r))
    return Advisory(
        id=VulnId(raw["id"]),
        # distributions' records (Debian, Alpine, Ubuntu) name their CVE in ``upstream``
        aliases=tuple(dict.fromkeys((*_str_list(raw.get("aliases")), *_str_list(raw.get("upstream"))))),
        summary=str(raw.get("summary") or ""),
        modified=str(raw.get("modified") or ""),
        published=raw.get("published"),
        withdrawn=raw.get("withdrawn"),
        severity=severity,
        db_severity=_severity_word(raw.get("database_specific")),
        affected=tuple(affected),
        references=refs,
        exploits=exploits,
    )
