"""`mamori collect --gcp-org` through an injected (fake) Cloud Asset API client: no network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mamori.collect.gcp import read_gcp_assets
from mamori.collect.gcp.live import collect_org
from mamori.demo.gcp_estate import DEMO_NOW, demo_export, write_demo_export
from mamori.engine import evaluate
from mamori.errors import CollectionError, InputError
from mamori.rules import load_rules


class FakeAssetClient:
    """Pages of the demo export, filtered as the API filters them (content type, asset types)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = fail

    def list_assets(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        self.requests.append(request)
        if self.fail:
            raise self.fail
        res, iam = demo_export()
        for a in res if request["content_type"] == "RESOURCE" else iam:
            if a["asset_type"] in request["asset_types"]:
                yield a


def test_collect_writes_one_file_per_content_type_that_scans_like_the_export(tmp_path: Path) -> None:
    fake = FakeAssetClient()
    paths = collect_org("111", tmp_path / "out", client=fake)
    assert [p.name for p in paths] == ["resource.json", "iam_policy.json"]
    assert [r["content_type"] for r in fake.requests] == ["RESOURCE", "IAM_POLICY"]
    assert all(r["parent"] == "organizations/111" for r in fake.requests)
    assert "storage.googleapis.com/Bucket" in fake.requests[0]["asset_types"]
    rules = load_rules()
    live = evaluate(read_gcp_assets(paths, DEMO_NOW), rules)
    shipped = evaluate(read_gcp_assets(write_demo_export(tmp_path / "demo"), DEMO_NOW), rules)
    key = lambda ev: sorted((r.rule_id, r.resource_id, r.status.value) for r in ev.results)  # noqa: E731
    assert key(live) == key(shipped)


def test_api_errors_and_bad_ids_are_mamori_errors(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="PermissionDenied"):
        collect_org("111", tmp_path, client=FakeAssetClient(fail=type("PermissionDenied", (Exception,), {})("403 denied")))
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(InputError, match="organization id"):
        collect_org("../etc", tmp_path, client=FakeAssetClient())


def test_the_cli_reports_a_missing_client_library_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_google(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("google.cloud"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_google)
    from tests.clirun import runner

    r = runner(capsys)("collect", "--gcp-org", "111", "-o", str(tmp_path / "x"))
    assert r.code != 0 and "mamori[gcp]" in r.err and "Traceback" not in r.err
