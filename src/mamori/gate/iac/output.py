"""`gate iac` reports: table (80 columns), JSON (``{"findings": [...]}``) and SARIF 2.1.0."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from mamori import __version__
from mamori.gate.iac.service import IacReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"FAIL": "error", "UNKNOWN": "warning", "SUPPRESSED": "error", "PASS": "note"}


def render_json(report: IacReport, compare: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {"findings": [f.to_dict() for f in report.findings],
                           "summary": {"resources": report.resources, "files": report.files, "rules": report.rules,
                                       "counts": report.counts(), "fail_on": report.fail_on.value,
                                       "blocking": len(report.blocking())},
                           "notes": report.notes}  # fmt: skip
    if compare is not None:
        doc["compare_live"] = compare
    return json.dumps(doc, indent=2) + "\n"


def _uri(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    return (path if rel.startswith("..") else rel).replace(os.sep, "/")


def render_sarif(report: IacReport) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in report.findings:
        rules.setdefault(f.rule_id, {
            "id": f.rule_id, "name": f.rule_id, "shortDescription": {"text": f.title},
            "properties": {"tags": ["security", "iac"], "severity": f.severity.value},
        })  # fmt: skip
        text = f"{f.address}: {f.title}" + (f" (UNKNOWN: {f.expression})" if f.status == "UNKNOWN" else "")
        loc: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.file)}}
        if f.line:
            loc["region"] = {"startLine": f.line}
        res: dict[str, Any] = {
            "ruleId": f.rule_id, "level": _LEVEL.get(f.status, "warning"), "message": {"text": text},
            "locations": [{"physicalLocation": loc, "logicalLocations": [{"fullyQualifiedName": f.address}]}],
            "partialFingerprints": {"mamoriIac/v1": hashlib.sha256(f"{f.rule_id}\x1f{f.address}".encode()).hexdigest()[:32]},
            "properties": {"status": f.status, "severity": f.severity.value, "address": f.address},
        }  # fmt: skip
        if f.waiver:
            res["suppressions"] = [
                {"kind": "inSource", "justification": f"{f.waiver['reason']} (expires {f.waiver['expires']})"}
            ]
        results.append(res)
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "mamori", "version": __version__, "informationUri": "https://github.com/mamori-dev/mamori",
                                         "rules": list(rules.values())}}, "results": results}]}  # fmt: skip
    return json.dumps(doc, indent=2) + "\n"


def render_text(report: IacReport, width: int = 80, compare: dict[str, Any] | None = None) -> str:
    """One block per finding, cut to ``width`` at spaces: status, severity, rule, then where."""
    lines: list[str] = []
    for f in report.findings:
        head = f"{f.status:<10} {f.severity.value:<8} {f.rule_id}"
        lines.append(head[:width])
        where = f"  {f.address}  {_uri(f.file)}:{f.line}"
        lines.append(where if len(where) <= width else where[: width - 1] + "…")
        if f.status == "UNKNOWN" and f.expression:
            lines.append(_cut(f"  unresolved: {f.expression}", width))
        if f.waiver:
            lines.append(_cut(f"  waived until {f.waiver['expires']}: {f.waiver['reason']}", width))
        if f.note:
            lines.append(_cut(f"  {f.note}", width))
    for n in report.notes:
        lines.append(_cut(f"note: {n}", width))
    c = report.counts()
    summary = (f"{report.resources} resource(s) in {report.files} file(s), {report.rules} rules: "
               + ", ".join(f"{k} {c[k]}" for k in ("FAIL", "UNKNOWN", "SUPPRESSED", "PASS") if k in c))  # fmt: skip
    if compare is not None:
        lines.append(_cut(f"vs live scan {compare.get('scan', '?')}: fixes {len(compare['fixes'])}, adds {len(compare['adds'])}, "
                          f"keeps {len(compare['keeps'])}", width))  # fmt: skip
        for k in ("fixes", "adds"):
            for item in compare[k]:
                lines.append(_cut(f"  {k[:-1]:<5} {item['rule_id']}  {item['address']}", width))
    lines.append(_cut(summary, width))
    lines.append(f"{len(report.blocking())} FAIL at or above {report.fail_on.value}")
    return "\n".join(lines) + "\n"


def _cut(s: str, width: int) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"
