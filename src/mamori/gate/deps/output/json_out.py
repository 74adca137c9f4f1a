"""``-o json``: the whole report, one object; per package its verdict, reason and vulnerabilities."""

from __future__ import annotations

import json
from typing import Any

from mamori import __version__
from mamori.gate.deps.model import DepsReport
from mamori.gate.deps.output.interface import OutputFormat, notice_dict, package_dict, register

SCHEMA = "mamori.gate.deps/v1"


def report_dict(report: DepsReport) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "mamori", "version": __version__},
        "project": report.project,
        "team": report.team or None,
        "commit": report.commit,
        "generated_at": report.generated_at.isoformat(),
        "root": report.root,
        "data_source": report.data_source,
        "data_sources": [{"source": k, "date": d, "detail": x or None} for k, d, x in report.data_sources],
        "policy": report.policy_source,
        "blocked": report.blocked,
        "exit_code": report.exit_code,
        "summary": report.counts(),
        "files": list(report.files),
        "packages": [package_dict(p) for p in report.packages],
        "notices": [notice_dict(n) for n in report.notices],
        "errors": list(report.errors),
    }


class JsonFormat(OutputFormat):
    name = "json"

    def render(self, report: DepsReport) -> str:
        return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


register(JsonFormat)
