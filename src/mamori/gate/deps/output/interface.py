"""The output-format interface, its registry, and helpers the formats share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from packageurl import PackageURL

from mamori.gate.deps.model import DepsReport, Ecosystem, Notice, Package, PackageDecision, VulnDecision
from mamori.registry import Registry


class OutputFormat(ABC):
    name: str = ""

    @abstractmethod
    def render(self, report: DepsReport) -> str:
        """The whole report as text (the CLI writes it; formats never print)."""


FORMATS: Registry[OutputFormat] = Registry("output format")


def register(cls: type[OutputFormat]) -> type[OutputFormat]:
    FORMATS.add(cls.name, cls())
    return cls


def purl(package: Package) -> str:
    """The package URL (purl) of a package; without a version when it is unpinned."""
    eco, name = package.ecosystem, package.name
    namespace: str | None = None
    if eco is Ecosystem.MAVEN and ":" in name:
        namespace, name = name.split(":", 1)
    elif eco in (Ecosystem.NPM, Ecosystem.GO, Ecosystem.PACKAGIST) and "/" in name:
        namespace, name = name.rsplit("/", 1)
    elif eco is Ecosystem.PYPI:
        name = package.lookup_name
    return str(
        PackageURL(type=eco.purl_type, namespace=namespace, name=name, version=package.version).to_string()
    )


_SOURCES = (
    ("GHSA-", "GitHub Advisory Database", "https://github.com/advisories/{}"),
    ("CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/{}"),
    ("PYSEC-", "PyPA Advisory Database", "https://osv.dev/vulnerability/{}"),
    ("RUSTSEC-", "RustSec", "https://rustsec.org/advisories/{}.html"),
    ("GO-", "Go Vulnerability Database", "https://pkg.go.dev/vuln/{}"),
)


def advisory_source(vuln_id: str) -> tuple[str, str]:
    """(database name, URL) of an advisory id."""
    for prefix, name, url in _SOURCES:
        if vuln_id.upper().startswith(prefix):
            return name, url.format(vuln_id)
    return "OSV", f"https://osv.dev/vulnerability/{vuln_id}"


def vuln_dict(d: VulnDecision) -> dict[str, Any]:
    v = d.vulnerability
    return {
        "id": v.id,
        "aliases": list(v.aliases),
        "summary": v.summary,
        "severity": v.severity.value if v.severity else None,
        "score": v.score,
        "cvss_vectors": list(v.vectors),
        "fixed_versions": list(v.fixed),
        "verdict": d.verdict.value,
        "rule": d.rule.value,
        "reason": d.reason,
        "first_seen": d.first_seen.isoformat() if d.first_seen else None,
        "deadline": d.deadline.isoformat() if d.deadline else None,
        "references": list(v.references),
        "exploits": list(v.exploits),
        "vex": {"status": d.vex_status, "statement": d.vex_note} if d.vex_status else None,
        "risk": v.risk.as_dict() if v.risk else None,
    }


def package_dict(p: PackageDecision) -> dict[str, Any]:
    pkg = p.package
    out: dict[str, Any] = {
        "ecosystem": pkg.ecosystem.value,
        "name": pkg.name,
        "version": pkg.version,
        "purl": purl(pkg),
    }
    if pkg.version is None:
        out["spec"] = pkg.spec
    out.update(
        {
            "sources": list(p.sources),
            "verdict": p.verdict.value,
            "rule": p.rule.value,
            "reason": p.reason,
            "deadline": p.deadline.isoformat() if p.deadline else None,
            "upgrade_to": p.upgrade_to,
            "upgrade_note": p.upgrade_note,
            "vulnerabilities": [vuln_dict(d) for d in p.vulns],
        }
    )
    return out


def notice_dict(n: Notice) -> dict[str, Any]:
    return {"kind": n.kind.value, "message": n.message, "source": n.source or None, "line": n.line}
