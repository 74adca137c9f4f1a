"""``-o sarif``: SARIF 2.1.0 for code-scanning UIs, one rule per detector, stable fingerprints."""

from __future__ import annotations

import json
from typing import Any

from mamori import __version__
from mamori.gate.secrets.model import ScanResult
from mamori.gate.secrets.report import FORMATS, ReportContext
from mamori.model.finding import Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "mamoriSecret/v1"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "note",
}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFORMATIONAL: "0.0",
}


@FORMATS.register("sarif")
def render_sarif(result: ScanResult, ctx: ReportContext) -> str:
    dets = sorted(ctx.detectors, key=lambda d: d.id)
    index = {d.id: i for i, d in enumerate(dets)}
    rules: list[dict[str, Any]] = [
        {
            "id": d.id,
            "name": "".join(p.capitalize() for p in d.id.split("-")),
            "shortDescription": {"text": d.title},
            "fullDescription": {"text": d.description or f"{d.title} committed to the repository."},
            "defaultConfiguration": {"level": _LEVEL[d.severity]},
            "help": {
                "text": "Remove the secret, rotate it, and load it from a secret store. "
                "For a false positive add `mamori:allow <reason>` on the line, an allowlist entry, "
                "or a baseline entry."
            },
            "properties": {
                "tags": ["security", "secret", d.category.value],
                "security-severity": _SECURITY_SEVERITY[d.severity],
            },
        }
        for d in dets
    ]
    results: list[dict[str, Any]] = []
    for f in result.findings:
        res: dict[str, Any] = {
            "ruleId": f.detector,
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.title}: {f.redacted}" + (f" (introduced in {f.commit.sha[:12]})" if f.commit else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line},
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
            "properties": {"redactedSecret": f.redacted, "severity": f.severity.value},
        }
        if f.detector in index:
            res["ruleIndex"] = index[f.detector]
        if f.commit:
            res["properties"].update(
                {"commit": f.commit.sha, "author": f.commit.author, "authorDate": f.commit.date}
            )
        if f.verified:
            res["properties"]["verified"] = f.verified.value
        results.append(res)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mamori",
                        "fullName": "mamori gate secrets",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/mamori-dev/mamori",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"mamori/secrets/{ctx.mode}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
