"""``-o sarif``: SARIF 2.1.0 for code-scanning UIs.

One rule per vulnerability id (``security-severity`` carries the CVSS score, as GitHub
code scanning reads it) plus ``mamori/deps/unpinned``; one result per (package,
vulnerability) located at each lockfile line that names the package. BLOCK is ``error``,
FIX_BY ``warning``, PASS ``note``; a vulnerability passed by a policy exception carries a
SARIF ``suppression`` with the exception's justification.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mamori import __version__
from mamori.gate.deps.model import DepsReport, PackageDecision, Rule, Verdict, VulnDecision
from mamori.gate.deps.output.interface import OutputFormat, advisory_source, register

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
UNPINNED_RULE = "mamori/deps/unpinned"
_LEVEL = {Verdict.BLOCK: "error", Verdict.FIX_BY: "warning", Verdict.UNPINNED: "note", Verdict.PASS: "note"}


def _locations(p: PackageDecision) -> list[dict[str, Any]]:
    out = []
    for src in p.sources:
        path, _, line = src.rpartition(":") if src.rsplit(":", 1)[-1].isdigit() else (src, "", "")
        loc: dict[str, Any] = {"artifactLocation": {"uri": path}}
        if line:
            loc["region"] = {"startLine": int(line)}
        out.append({"physicalLocation": loc})
    return out


def _rule(d: VulnDecision) -> dict[str, Any]:
    v = d.vulnerability
    _, url = advisory_source(v.id)
    text = v.summary or v.id
    rule: dict[str, Any] = {
        "id": v.id,
        "name": v.id.replace("-", ""),
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{text} ({', '.join((v.id, *v.aliases))})"},
        "helpUri": url,
        "help": {"text": f"{text}. Fixed in: {', '.join(v.fixed) or 'no fixed version'}. {url}"},
        "properties": {
            "tags": ["security", "vulnerability", "dependency", *v.aliases],
            "precision": "very-high",
        },
    }
    if v.score is not None:
        rule["properties"]["security-severity"] = f"{v.score:.1f}"
    return rule


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _result(p: PackageDecision, d: VulnDecision) -> dict[str, Any]:
    pkg, v = p.package, d.vulnerability
    upgrade = f" Upgrade to {p.upgrade_to}." if p.upgrade_to else ""
    result: dict[str, Any] = {
        "ruleId": v.id,
        "level": _LEVEL[d.verdict],
        "message": {
            "text": f"{pkg.name} {pkg.version} is affected by {v.id}: {d.verdict.value}: {d.reason}.{upgrade}"
        },
        "locations": _locations(p),
        "partialFingerprints": {
            "mamoriDeps/v1": _fingerprint(pkg.ecosystem.value, pkg.lookup_name, str(pkg.version), v.id)
        },
        "properties": {
            "ecosystem": pkg.ecosystem.value,
            "package": pkg.name,
            "version": pkg.version,
            "verdict": d.verdict.value,
            "rule": d.rule.value,
            "deadline": d.deadline.isoformat() if d.deadline else None,
            "fixedVersions": list(v.fixed),
            "aliases": list(v.aliases),
        },
    }
    if v.risk is not None:
        result["properties"]["risk"] = v.risk.as_dict()  # the SSVC decision and its factors (docs/deps.md)
    if d.rule is Rule.EXCEPTION:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": d.reason}]
    return result


def to_sarif(report: DepsReport) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for p in report.packages:
        if p.package.version is None:
            rules.setdefault(UNPINNED_RULE, {
                "id": UNPINNED_RULE,
                "name": "UnpinnedDependency",
                "shortDescription": {"text": "A dependency without an exact version cannot be audited"},
                "helpUri": "https://github.com/mamori/mamori/blob/main/docs/deps.md",
            })  # fmt: skip
            results.append({
                "ruleId": UNPINNED_RULE,
                "level": "error" if p.verdict is Verdict.BLOCK else "note",
                "message": {"text": f"{p.package.name} is not pinned ({p.package.spec})"},
                "locations": _locations(p),
                "partialFingerprints": {"mamoriDeps/v1": _fingerprint(p.package.ecosystem.value, p.package.lookup_name)},
            })  # fmt: skip
            continue
        for d in p.vulns:
            rules.setdefault(d.vulnerability.id, _rule(d))
            results.append(_result(p, d))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mamori",
                        "fullName": "mamori gate deps",
                        "version": __version__,
                        "informationUri": "https://github.com/mamori/mamori",
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"mamori/gate/deps/{report.project}"},
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": e}} for e in report.errors
                        ],
                    }
                ],
                "results": results,
                "properties": {
                    "project": report.project,
                    "team": report.team,
                    "commit": report.commit,
                    "blocked": report.blocked,
                },  # fmt: skip
            }
        ],
    }


class SarifFormat(OutputFormat):
    name = "sarif"

    def render(self, report: DepsReport) -> str:
        return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"


register(SarifFormat)
