"""CISA's Known Exploited Vulnerabilities catalogue, from a file the user supplies.

The file is the feed as CISA publishes it (``known_exploited_vulnerabilities.json``):
``{"catalogVersion": ..., "vulnerabilities": [{"cveID": "CVE-2021-44228", ...}, ...]}``.
A small sample (CVE-2021-44228 only) ships for tests and the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mamori.gate.deps.errors import AdvisoryDataError
from mamori.safeload import load_json


@dataclass(frozen=True)
class KevCatalog:
    cves: frozenset[str]
    version: str = ""
    source: str = ""
    released: str = ""  # the catalogue's dateReleased (ISO), when it says
    added: dict[str, str] = field(default_factory=dict, compare=False)  # CVE -> dateAdded

    def date_added(self, cve: str) -> str:
        return self.added.get(cve.upper(), "")

    def __contains__(self, cve: object) -> bool:
        return isinstance(cve, str) and cve.upper() in self.cves

    def listed(self, ids: frozenset[str]) -> list[str]:
        return sorted(i for i in ids if i.upper() in self.cves)


def parse_kev(text: str, source: str) -> KevCatalog:
    doc = load_json(text, source=source, error=AdvisoryDataError)  # bounded: size, depth, NUL, NaN
    vulns = doc.get("vulnerabilities") if isinstance(doc, dict) else None
    if not isinstance(vulns, list):
        raise AdvisoryDataError("not a KEV catalogue: no 'vulnerabilities' list", source=source)
    cves = set()
    added: dict[str, str] = {}
    for i, v in enumerate(vulns):
        cve = v.get("cveID") if isinstance(v, dict) else None
        if not isinstance(cve, str) or not cve.upper().startswith("CVE-"):
            raise AdvisoryDataError(
                "an entry without a 'cveID'", source=source, where=f"vulnerabilities[{i}]"
            )
        cves.add(cve.upper())
        if isinstance(v.get("dateAdded"), str):
            added[cve.upper()] = v["dateAdded"][:10]
    released = doc.get("dateReleased")
    return KevCatalog(frozenset(cves), str(doc.get("catalogVersion", "")), source,
                      released if isinstance(released, str) else "", added)  # fmt: skip


def load_kev(path: Path) -> KevCatalog:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AdvisoryDataError(f"cannot read the KEV catalogue: {exc.strerror}", source=str(path)) from None
    return parse_kev(text, str(path))


def sample_kev() -> KevCatalog:
    text = resources.files("mamori.gate.deps").joinpath("data/kev-sample.json").read_text(encoding="utf-8")
    return parse_kev(text, "kev-sample.json (shipped sample)")


def sample_osv_dir() -> Path:
    """The shipped sample OSV directory (real advisories, a handful per ecosystem)."""
    return Path(str(resources.files("mamori.gate.deps").joinpath("data/osv-sample")))
