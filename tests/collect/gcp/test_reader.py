"""Cloud Asset Inventory exports: NDJSON, JSON array, gzip; joined by name; bounded; bad input named by file:line."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.collect.gcp import ASSET_TYPES, read_export, read_gcp_assets
from mamori.collect.gcp import reader as rd
from mamori.demo.gcp_estate import DEMO_NOW, demo_export, write_demo_export, write_ndjson
from mamori.engine import evaluate
from mamori.errors import InputError
from mamori.model import ResultStatus
from mamori.rules import RuleSet, load_rules

RULES = load_rules()
GCP_RULES = RuleSet(r for r in RULES if r.spec.resource_type.startswith("gcp."))
BUCKET = {"name": "//storage.googleapis.com/b1", "asset_type": "storage.googleapis.com/Bucket",
          "resource": {"version": "v1", "discovery_name": "Bucket", "parent": "//cloudresourcemanager.googleapis.com/projects/7",
                       "data": {"name": "b1", "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True}}}, "location": "US"},
          "ancestors": ["projects/7", "organizations/9"], "update_time": "2026-11-01T00:00:00Z"}  # fmt: skip
BUCKET_IAM = {"name": "//storage.googleapis.com/b1", "asset_type": "storage.googleapis.com/Bucket",
              "iam_policy": {"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]}, "ancestors": ["projects/7", "organizations/9"]}  # fmt: skip
PROJECT = {"name": "//cloudresourcemanager.googleapis.com/projects/7", "asset_type": "cloudresourcemanager.googleapis.com/Project",
           "resource": {"data": {"projectId": "shop-prod", "projectNumber": "7"}}, "ancestors": ["projects/7", "organizations/9"]}  # fmt: skip


def nd(tmp_path: Path, name: str, assets: list[dict], compress: bool = False) -> Path:
    p = tmp_path / name
    write_ndjson(assets, p, compress=compress)
    return p


def test_files_per_content_type_are_joined_by_name_and_scoped_by_project(tmp_path: Path) -> None:
    inv = read_gcp_assets([nd(tmp_path, "r.json", [BUCKET, PROJECT]), nd(tmp_path, "i.json", [BUCKET_IAM])])
    b = inv.find("gcp.storage.bucket", "//storage.googleapis.com/b1")[0]
    assert (b.account, b.region, b.name, b.provider) == ("shop-prod", "us", "b1", "gcp")
    assert b.properties["uniform_bucket_level_access"] is True
    assert b.properties["iam_bindings"][0]["members"] == ["allUsers"]
    assert b.properties["ancestors"] == ["projects/7", "organizations/9"]
    assert b.properties["inherited_iam_bindings"] is None  # the organization is not in the export: unknown


def test_json_array_and_gzip_read_the_same(tmp_path: Path) -> None:
    arr = tmp_path / "a.json"
    arr.write_bytes(orjson.dumps([BUCKET, PROJECT]))
    gz = nd(tmp_path, "g.json.gz", [BUCKET, PROJECT], compress=True)
    a, g = read_export([arr]), read_export([gz])
    assert a.assets == g.assets and len(a.assets) == 2 and a.has_resource and not a.has_iam_policy


def test_without_the_iam_export_iam_rules_are_unknown_never_pass(tmp_path: Path) -> None:
    res, _ = demo_export()
    inv = read_gcp_assets([nd(tmp_path, "r.json", res)], DEMO_NOW)
    ev = evaluate(inv, GCP_RULES)
    iam_rules = {"gcp_storage_bucket_public", "gcp_kms_key_public", "gcp_iam_service_account_admin_privileges",
                 "gcp_iam_service_account_user_role_at_project", "gcp_iam_service_account_separation_of_duties",
                 "gcp_kms_separation_of_duties", "gcp_iam_primitive_role_for_user", "gcp_project_audit_logging_incomplete"}  # fmt: skip
    got = {r.status for r in ev.results if r.rule_id in iam_rules}
    assert ResultStatus.PASS not in got and ResultStatus.UNKNOWN in got
    # the dataset's own access list still shows the public one
    ds = {r.resource_id: r.status for r in ev.results if r.rule_id == "gcp_bigquery_dataset_public"}
    assert set(ds.values()) == {ResultStatus.FAIL, ResultStatus.UNKNOWN}


def test_the_demo_export_gives_both_outcomes_for_every_gcp_rule(tmp_path: Path) -> None:
    inv = read_gcp_assets(write_demo_export(tmp_path), DEMO_NOW)
    ev = evaluate(inv, GCP_RULES)
    seen: dict[str, set[ResultStatus]] = {}
    for r in ev.results:
        seen.setdefault(r.rule_id, set()).add(r.status)
    assert len(GCP_RULES) >= 35
    for rule in GCP_RULES:
        assert seen.get(rule.id) == {ResultStatus.PASS, ResultStatus.FAIL}, (rule.id, seen.get(rule.id))


def test_inherited_bindings_and_audit_configs_come_from_the_ancestors(tmp_path: Path) -> None:
    inv = read_gcp_assets(write_demo_export(tmp_path), DEMO_NOW)
    dev = inv.find("gcp.resourcemanager.project", "//cloudresourcemanager.googleapis.com/projects/1002")[0]
    prod = inv.find("gcp.resourcemanager.project", "//cloudresourcemanager.googleapis.com/projects/1001")[0]
    assert dev.account == "demo-dev" and {b["role"] for b in dev.properties["inherited_iam_bindings"]} == {"roles/owner"}
    assert prod.properties["audit_configs"] == [] and prod.properties["inherited_audit_configs"][0]["service"] == "allServices"
    assert prod.properties["log_sink_all_entries"] is True and dev.properties["log_sink_all_entries"] is False


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        (b'{"name": "a", "asset_type": "x"}\n{"name": \n', ":2: ", ""),
        (b'{"name": "a", "asset_type": "x"}\n[1, 2]\n', ":2: ", "JSON object"),
        (b'{"asset_type": "x"}\n', ":1: ", "non-empty string 'name'"),
        (b'{"name": "a", "asset_type": "x", "resource": []}\n', ":1: ", "'resource' must be an object"),
        (b'{"name": "a", "asset_type": "x"}\n{"name": "a", "asset_type": "y"}\n', ":2: ", "elsewhere"),
        (b'{"name": "a", "asset_type": "x", "ancestors": [1]}\n', ":1: ", "list of strings"),
        (b"[" * 200 + b"]" * 200, ":", "deeper"),
        (b'{"name": "a", "asset_type": "x", "resource": {"data": ' + b'{"a": ' * 80 + b"1" + b"}" * 80 + b"}}\n", ":1: ", "deeper"),
    ],
)
def test_bad_input_names_the_file_and_line(tmp_path: Path, content: bytes, where: str, message: str) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_export([p])
    assert f"{p}{where}" in str(exc.value) and message in str(exc.value)


def test_limits_line_length_and_decompressed_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rd, "MAX_LINE_BYTES", 100)
    p = tmp_path / "long.json"
    p.write_bytes(b'{"name": "a", "asset_type": "x"}\n' + b'{"name": "' + b"a" * 200 + b'"}\n')
    with pytest.raises(InputError, match=r"long.json:2: line longer than 100"):
        read_export([p])
    monkeypatch.setattr(rd, "MAX_FILE_BYTES", 1000)
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * 100_000))
    with pytest.raises(InputError, match="larger than 1000 bytes"):
        read_export([bomb])
    bad = tmp_path / "trunc.json.gz"
    bad.write_bytes(gzip.compress(b'{"name": "a", "asset_type": "x"}\n')[:-6])
    with pytest.raises(InputError, match=r"trunc\.json\.gz"):
        read_export([bad])


def test_a_property_of_the_wrong_type_is_an_input_error(tmp_path: Path) -> None:
    a = {**BUCKET, "resource": {**BUCKET["resource"], "data": {"retentionPolicy": {"retentionPeriod": "forever"}}}}
    with pytest.raises((InputError, ValueError)):
        read_gcp_assets([nd(tmp_path, "r.json", [a])])


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from(["name", "asset_type", "resource", "data", "iam_policy", "ancestors", "bindings", "x"]), kids, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(JSONISH, max_size=5), junk=st.binary(max_size=40), compress=st.booleans())
def test_any_input_reads_or_is_an_input_error(tmp_path: Path, lines: list, junk: bytes, compress: bool) -> None:
    """Whatever the bytes, the reader and the builder return an inventory or raise InputError, nothing else."""
    body = b"".join(orjson.dumps(x) + b"\n" for x in lines) + junk
    p = tmp_path / "h.json"
    p.write_bytes(gzip.compress(body) if compress else body)
    with contextlib.suppress(InputError):
        read_gcp_assets([p])


FIELDS = ["iamConfiguration", "uniformBucketLevelAccess", "enabled", "retentionPolicy", "retentionPeriod", "allowed", "IPProtocol", "ports",
          "sourceRanges", "serviceAccounts", "email", "scopes", "metadata", "items", "key", "value", "networkInterfaces", "accessConfigs",
          "natIP", "disks", "diskEncryptionKey", "settings", "ipConfiguration", "authorizedNetworks", "databaseFlags", "name",
          "databaseVersion", "rotationPeriod", "access", "dnssecConfig", "defaultKeySpecs", "restrictions", "apiTargets", "config",
          "encryptionConfig", "projectNumber", "projectId", "logConfig", "destination", "filter", "conditions", "labels", "ipAddresses"]  # fmt: skip
DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=5) | st.sampled_from(["MYSQL_8", "7776000s", "0.0.0.0/0", "on"]),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), kids, max_size=5),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(ASSET_TYPES)), data=st.dictionaries(st.sampled_from(FIELDS), DATA, max_size=6))
def test_any_resource_data_builds_or_is_an_input_error_naming_the_line(tmp_path: Path, kind: str, data: dict) -> None:
    p = tmp_path / "d.json"
    write_ndjson([PROJECT, {"name": "//x/y", "asset_type": kind, "resource": {"data": data}, "ancestors": ["projects/7"]}], p)
    try:
        read_gcp_assets([p])
    except InputError as exc:
        assert f"{p}:" in str(exc)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=10), min_size=1, max_size=6, unique=True))
def test_ndjson_array_and_gzip_agree(tmp_path: Path, names: list[str]) -> None:
    assets = [{"name": n, "asset_type": "storage.googleapis.com/Bucket", "resource": {"data": {"name": n}}, "ancestors": ["projects/1"]} for n in names]
    (tmp_path / "a.json").write_bytes(orjson.dumps(assets))
    write_ndjson(assets, tmp_path / "n.json")
    write_ndjson(assets, tmp_path / "g.gz", compress=True)
    got = [read_export([tmp_path / f]).assets for f in ("a.json", "n.json", "g.gz")]
    assert got[0] == got[1] == got[2] and list(got[0]) == names
