"""The HTML report as a file: self-contained, offline, escaped, with the data people need."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mamori.report import ReportData, render
from mamori.report.svg import trend_svg

from ..standards.conftest import DEV


def embedded(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="mamori-data">(.*?)</script>', html, re.S)
    assert m, "data block missing"
    return json.loads(m.group(1))


def test_one_self_contained_offline_file(report_file: Path) -> None:
    html = report_file.read_text()
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', html), "no external resource may be loaded"
    assert "@import" not in html and "url(" not in html
    assert "<title>ACME &lt;prod&gt; report</title>" in html


def test_data_is_embedded_and_escaped(report_file: Path, report_data: ReportData) -> None:
    html = report_file.read_text()
    assert "evil</script>" not in html  # a resource id cannot end the data block
    data = embedded(html)
    assert {f["resource"] for f in data["findings"]} >= {"v2", "v3", "d1", "evil</script><b>x"}
    assert data["total_findings"] == len(data["findings"]) == len(report_data.findings)
    assert data["rules"]["t_bucket_public"]["remediation"].startswith("Turn on S3 Block Public Access")
    assert [s["standard"] for s in data["standards"]] == ["baseline", "cis-aws-3.0", "cis-gcp-3.0", "fsbp"]
    assert len(data["trend"]["baseline"]) == 3


def test_scores_coverage_controls_and_remediation_are_rendered(report_file: Path, report_data: ReportData) -> None:
    html = report_file.read_text()
    base = report_data.views[0]
    assert base.explain() in html and "1 attested" in base.explain()
    cat4 = base.scores["4"].score
    assert re.search(rf'data-standard="baseline" data-category="4">.*?{cat4:.1f}%', html)
    assert 'data-control="6.1" data-status="attested"' in html and "alice@example.com" in html
    assert '<details class="rule" data-rule="t_bucket_public">' in html and "How to fix" in html
    assert html.count("<circle") == 9  # three standards x three scans


def test_trend_svg_handles_gaps_and_single_points() -> None:
    t = datetime(2026, 11, 1, tzinfo=UTC)
    svg = trend_svg({"a": [(t, 50.0), (t + timedelta(days=1), None), (t + timedelta(days=2), 75.0)], "b": [(t, None)]})
    assert svg.count("<circle") == 2 and svg.count("<polyline") == 1 and "b n/a" in svg
    assert "no scored scans yet" in trend_svg({})
    assert "2026-11-01" in trend_svg({"a": [(t, 10.0)]})


def test_cli_writes_the_report(mamori: Callable[..., Any], tmp_path: Path) -> None:
    from .conftest import build_store

    store, _ = build_store(f"sqlite:///{tmp_path}/m.db", tmp_path / "security-rules")
    store.close()
    (tmp_path / "mamori.yaml").write_text(f"rule_paths: [./security-rules]\ndb: {tmp_path}/m.db\n")
    r = mamori("report", "html", "-o", "out.html", "--account", DEV, "--max-findings", "1")
    assert r.code == 0 and "1 finding(s) (of 2" in r.err
    data = embedded((tmp_path / "out.html").read_text())
    assert data["account"] == DEV and {f["account"] for f in data["findings"]} == {DEV} and data["total_findings"] == 2
    assert mamori("report", "html").code == 2  # -o is required


def test_render_without_any_scan(tmp_path: Path) -> None:
    from mamori.config import Config
    from mamori.findings import Store
    from mamori.report import gather
    from mamori.rules import load_rules

    store = Store.open(f"sqlite:///{tmp_path}/empty.db")
    html = render(gather(store, load_rules([], builtin=False), Config().hub))
    store.close()
    assert "no scan stored yet" in html and embedded(html)["findings"] == []


def test_what_changed_since_the_previous_scan_is_shown(report_file: Path, report_data: ReportData) -> None:
    html = report_file.read_text()
    base = report_data.drifts[0]
    assert base.standard.id == "baseline" and base.headline() in html and '<section id="drift">' in html
    opened = {it.finding.resource_id for it in base.worsened}
    assert opened == {"v3", "b2", "u1", "d1", "evil</script><b>x"}
    assert html.count('<tr class="drift"') == 5 and "evil&lt;/script&gt;&lt;b&gt;x" in html
    assert [d["standard"] for d in embedded(html)["drift"]] == ["baseline", "cis-aws-3.0", "cis-gcp-3.0", "fsbp"]
