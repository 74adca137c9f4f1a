"""``-o json``: a list of findings, each with the redacted secret and its fingerprint."""

from __future__ import annotations

import json
from typing import Any

from mamori.gate.secrets.model import ScanResult, SecretHit
from mamori.gate.secrets.report import FORMATS, ReportContext


def finding_dict(f: SecretHit) -> dict[str, Any]:
    return {
        "detector": f.detector,
        "title": f.title,
        "severity": f.severity.value,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "commit": f.commit.sha if f.commit else None,
        "author": f.commit.author if f.commit else None,
        "date": f.commit.date if f.commit else None,
        "fingerprint": f.fingerprint,
        "secret": f.redacted,
        "verified": f.verified.value if f.verified else None,
    }


@FORMATS.register("json")
def render_json(result: ScanResult, ctx: ReportContext) -> str:
    return json.dumps([finding_dict(f) for f in result.findings], indent=2) + "\n"
