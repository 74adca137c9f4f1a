"""``-o cyclonedx``: a CycloneDX 1.5 JSON SBOM of the audited packages with a ``vulnerabilities`` array.

Every package is a ``library`` component (bom-ref = purl). Each (package, vulnerability)
is one vulnerability entry: its id and source, aliases as references, CVSS ratings,
fixed versions as the recommendation, ``affects`` pointing at the component, and the
gate's verdict, rule, reason and deadline as ``mamori:*`` properties. A vulnerability
passed by a policy exception carries an ``analysis`` with the exception's justification.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from mamori import __version__
from mamori.gate.deps.model import DepsReport, Ecosystem, PackageDecision, Rule, VulnDecision
from mamori.gate.deps.output.interface import OutputFormat, advisory_source, purl, register
from mamori.gate.deps.severity import base_score, rating

_NS = uuid.UUID("7d4f3b1e-6a55-4c57-9d5e-0b9a6f0e2c11")


def _method(vector: str) -> str:
    if vector.startswith("CVSS:4"):
        return "CVSSv4"
    if vector.startswith("CVSS:3.1"):
        return "CVSSv31"
    if vector.startswith("CVSS:3"):
        return "CVSSv3"
    return "CVSSv2"


def ratings(d: VulnDecision) -> list[dict[str, Any]]:
    """CycloneDX `ratings` of a vulnerability: one per CVSS vector, else its advisory severity."""
    v = d.vulnerability
    name, url = advisory_source(v.id)
    out = []
    for vector in v.vectors:
        kind = (
            "CVSS_V2"
            if not vector.startswith("CVSS:")
            else "CVSS_V4"
            if vector.startswith("CVSS:4")
            else "CVSS_V3"
        )
        score = base_score(kind, vector)
        if score is None:
            continue
        sev = rating(score).value
        out.append({"source": {"name": name, "url": url}, "score": score,
                    "severity": "info" if sev == "informational" else sev,
                    "method": _method(vector), "vector": vector})  # fmt: skip
    if not out and v.severity is not None:
        sev = v.severity.value
        out.append({"source": {"name": name, "url": url}, "severity": "info" if sev == "informational" else sev,
                    "method": "other"})  # fmt: skip
    return out


def _component(p: PackageDecision) -> dict[str, Any]:
    pkg = p.package
    comp: dict[str, Any] = {"type": "library", "bom-ref": purl(pkg), "name": pkg.name, "purl": purl(pkg)}
    if pkg.ecosystem is Ecosystem.MAVEN and ":" in pkg.name:
        comp["group"], comp["name"] = pkg.name.split(":", 1)
    if pkg.version:
        comp["version"] = pkg.version
    comp["properties"] = [{"name": "mamori:source", "value": s} for s in p.sources]
    return comp


def _vulnerability(p: PackageDecision, d: VulnDecision) -> dict[str, Any]:
    v, ref = d.vulnerability, purl(p.package)
    name, url = advisory_source(v.id)
    props = [
        {"name": "mamori:verdict", "value": d.verdict.value},
        {"name": "mamori:rule", "value": d.rule.value},
        {"name": "mamori:reason", "value": d.reason},
    ]
    if d.deadline:
        props.append({"name": "mamori:deadline", "value": d.deadline.isoformat()})
    entry: dict[str, Any] = {
        "bom-ref": f"{v.id}|{ref}",
        "id": v.id,
        "source": {"name": name, "url": url},
        "references": [
            {"id": a, "source": dict(zip(("name", "url"), advisory_source(a), strict=True))}
            for a in v.aliases
        ],  # fmt: skip
        "ratings": ratings(d),
        "description": v.summary,
        "recommendation": f"Upgrade to {p.upgrade_to}" if p.upgrade_to else "No known version clears every advisory of the package",
        "advisories": [{"url": r} for r in v.references],
        "affects": [{"ref": ref, "versions": [{"version": p.package.version, "status": "affected"}]}],
        "properties": props,
    }
    if v.published:
        entry["published"] = v.published
    if d.rule is Rule.EXCEPTION:
        entry["analysis"] = {"state": "exploitable", "response": ["will_not_fix"], "detail": d.reason}
    return entry


def to_cyclonedx(report: DepsReport) -> dict[str, Any]:
    components: dict[str, dict[str, Any]] = {}
    vulns: list[dict[str, Any]] = []
    for p in report.packages:
        components.setdefault(purl(p.package), _component(p))
        vulns.extend(_vulnerability(p, d) for d in p.vulns)
    serial = uuid.uuid5(_NS, f"{report.project}|{report.commit}|{report.generated_at.isoformat()}")
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "timestamp": report.generated_at.isoformat(),
            "tools": {"components": [{"type": "application", "name": "mamori", "version": __version__}]},
            "component": {
                "type": "application",
                "bom-ref": f"project:{report.project}",
                "name": report.project,
            },
        },
        "components": list(components.values()),
        "vulnerabilities": vulns,
    }


class CycloneDxFormat(OutputFormat):
    name = "cyclonedx"

    def render(self, report: DepsReport) -> str:
        return json.dumps(to_cyclonedx(report), indent=2, ensure_ascii=False) + "\n"


register(CycloneDxFormat)
