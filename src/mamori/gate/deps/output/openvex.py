"""OpenVEX v0.2.0: what security has decided, one statement per (package, vulnerability).

* a VEX statement the gate honoured (``--vex``) -> repeated with its status, justification
  and author;
* an accepted-risk exception from the policy -> ``affected``, the action being the
  exception (reason, approver, expiry);
* otherwise ``affected``, the action being the gate's verdict (upgrade to X; blocked; fix by
  a date).

Deterministic: the document id is a hash of its statements, the timestamp the run's time.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mamori import __version__
from mamori.gate.deps.model import DepsReport, Rule, Verdict
from mamori.gate.deps.output.interface import OutputFormat, purl, register

CONTEXT = "https://openvex.dev/ns/v0.2.0"


def statements(report: DepsReport) -> list[dict[str, Any]]:
    out = []
    for p in report.packages:
        if p.package.version is None:
            continue
        product = {"@id": purl(p.package)}
        for d in p.vulns:
            v = d.vulnerability
            stmt: dict[str, Any] = {
                "vulnerability": {"name": v.id, "aliases": list(v.aliases)},
                "products": [product],
                "timestamp": report.generated_at.isoformat(),
            }
            if d.vex_status and d.rule is Rule.VEX:
                stmt["status"] = d.vex_status
                if d.vex_status == "not_affected":
                    just = d.vex_note.split("(", 1)[1].split(")", 1)[0] if "(" in d.vex_note else ""
                    stmt["justification"] = just
                    stmt["impact_statement"] = d.vex_note
                else:
                    stmt["status_notes"] = d.vex_note
            else:
                stmt["status"] = d.vex_status or "affected"
                upgrade = f"; upgrade to {p.upgrade_to}" if p.upgrade_to else ""
                if d.rule is Rule.EXCEPTION:
                    stmt["action_statement"] = f"accepted risk: {d.reason}"
                elif d.verdict is Verdict.BLOCK:
                    stmt["action_statement"] = f"blocked: {d.reason}{upgrade}"
                else:
                    stmt["action_statement"] = f"{d.reason}{upgrade}"
                if d.deadline:
                    stmt["action_statement_timestamp"] = d.deadline.isoformat()
            out.append(stmt)
    return out


class OpenVexFormat(OutputFormat):
    name = "openvex"

    def render(self, report: DepsReport) -> str:
        stmts = statements(report)
        digest = hashlib.sha256(json.dumps(stmts, sort_keys=True).encode()).hexdigest()[:32]
        doc = {
            "@context": CONTEXT,
            "@id": f"https://mamori.dev/vex/{report.project}/{digest}",
            "author": f"mamori {__version__} for {report.team or report.project}",
            "role": "security",
            "timestamp": report.generated_at.isoformat(),
            "version": 1,
            "tooling": f"mamori gate deps (policy: {report.policy_source or 'built-in defaults'})",
            "statements": stmts,
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


register(OpenVexFormat)
