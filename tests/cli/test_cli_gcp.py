"""`mamori scan --gcp-assets` and `mamori demo --gcp` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mamori.demo.gcp_estate import demo_export, write_demo_export, write_ndjson


def test_scan_gcp_assets_json_names_the_cai_asset_and_project(mamori: Callable[..., Any], tmp_path: Path) -> None:
    res, iam = write_demo_export(tmp_path / "export")
    r = mamori("scan", "--gcp-assets", str(res), "--gcp-assets", str(iam), "--no-store", "-o", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    by = {(f["rule_id"], f["resource"]["id"]): f for f in doc["findings"]}
    pub = by[("gcp_storage_bucket_public", "//storage.googleapis.com/demo-dev-assets")]
    assert pub["resource"]["project"] == pub["resource"]["account"] == "demo-dev" and pub["resource"]["type"] == "gcp.storage.bucket"
    assert pub["evidence"]["grants"][0]["member"] == "allUsers"
    assert not any(f["resource"]["account"] == "demo-prod" for f in doc["findings"])


def test_without_the_iam_file_the_public_bucket_is_not_reported_as_passing(mamori: Callable[..., Any], tmp_path: Path) -> None:
    res, _ = demo_export()
    p = tmp_path / "resources.json.gz"
    write_ndjson(res, p, compress=True)
    r = mamori("scan", "--gcp-assets", str(p), "--no-store", "-o", "json", "--rules", "gcp_storage_bucket_public")
    assert r.code == 0, r.err
    assert json.loads(r.out)["findings"] == []  # UNKNOWN, not FAIL ...
    table = mamori("scan", "--gcp-assets", str(p), "--no-store", "--rules", "gcp_storage_bucket_public")
    assert "unknown" in table.out.lower()  # ... and not PASS either


def test_a_bad_line_is_a_usage_error_naming_the_file_and_line(mamori: Callable[..., Any], tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{"name": "//x", "asset_type": "storage.googleapis.com/Bucket"}\n{"name": oops}\n')
    r = mamori("scan", "--gcp-assets", str(p), "--no-store")
    assert r.code == 2 and f"{p}:2:" in r.err and "Traceback" not in r.err


def test_demo_gcp_scans_the_shipped_export_and_stores_it(mamori: Callable[..., Any], tmp_path: Path) -> None:
    r = mamori("demo", "--gcp", "--db", str(tmp_path / "m.db"))
    assert r.code == 0, r.err
    assert "demo-dev" in r.out and "cis-gcp-3.0" in r.out
    std = mamori("standards", "show", "cis-gcp-3.0", "--db", str(tmp_path / "m.db"), "--account", "demo-prod", "-o", "json")
    assert std.code == 0, std.err
    doc = json.loads(std.out)
    statuses = {c["control"]: c["status"] for c in doc["controls"]}
    assert len(statuses) == 84 and statuses["5.1"] == "passing" and statuses["1.1"] == "not covered"
