"""`mamori guardrails scp|deploy|drift|impact|export` through the real entry point, against a moto server
seeded with the demo's organization (prod manages it; a ``workloads`` OU holds two member accounts)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest

from mamori.demo.estate import SEEDERS, SeedEnv, load_seeders, moto_server
from mamori.demo.seeds.organizations import MEMBERS
from tests.clirun import Run, runner

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "AWSLogs"
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS::")


@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return runner(capsys)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def demo_org(endpoint: str) -> str:
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST"), timeout=10)
    load_seeders()
    env = SeedEnv(session=boto3.Session(region_name="us-east-1"), endpoint_url=endpoint)
    SEEDERS.get("organizations")(env)
    SEEDERS.get("organization_members")(env)
    return endpoint


def test_scp_json_shape(mamori: Callable[..., Run]) -> None:
    r = mamori("guardrails", "scp", "--allowed-regions", "us-east-1,ap-northeast-1", "--break-glass-role",
               "arn:aws:iam::*:role/break-glass", "-o", "json")  # fmt: skip
    assert r.code == 0, r.err
    pols = json.loads(r.out)["policies"]
    assert len(pols) == 6 and all(set(p) == {"name", "description", "content"} for p in pols)
    assert all(len(p["content"]) <= 5120 for p in pols)
    bad = mamori("guardrails", "scp", "--allowed-regions", "mars-1")
    assert bad.code == 2 and "--allowed-regions" in bad.err and "mars-1" in bad.err
    assert mamori("guardrails", "scp", "--break-glass-role", "admin").code == 2
    assert mamori("guardrails", "list", "-o", "json").code == 0  # the existing subcommands are still there


def test_the_demo_organization_guarded_with_one_plan_apply(mamori: Callable[..., Run], demo_org: str, tmp_path: Path) -> None:
    common = ("--org", "--endpoint-url", demo_org, "--allowed-regions", "ap-northeast-1,us-east-1", "--db", str(tmp_path / "m.db"))
    assert mamori("guardrails", "deploy", "--endpoint-url", demo_org).code == 2  # --org is required
    bad = mamori("guardrails", "deploy", *common, "--target", "prod")
    assert bad.code == 2 and "--target" in bad.err
    plan = mamori("guardrails", "deploy", *common, "-o", "json")
    assert plan.code == 0, plan.err
    doc = json.loads(plan.out)
    assert len(doc["accounts"]) == len(MEMBERS) and doc["pending"] == 2 + 6 * 2 + 3
    table = mamori("guardrails", "deploy", *common)
    assert "changes planned. Apply them with --yes" in table.out and "mamori-deny-root" in table.out
    applied = mamori("guardrails", "deploy", *common, "--yes", "-o", "json")
    assert applied.code == 0, applied.err
    assert len(json.loads(applied.out)["applied"]) == doc["pending"]
    again = mamori("guardrails", "deploy", *common)
    assert again.code == 0 and "Nothing to change" in again.out
    drift_args = ("guardrails", "drift", "--org", "--endpoint-url", demo_org, "--db", str(tmp_path / "m.db"))
    clean = mamori(*drift_args)
    assert clean.code == 0 and "No drift" in clean.out
    org = boto3.client("organizations", region_name="us-east-1", endpoint_url=demo_org)
    root = org.list_roots()["Roots"][0]["Id"]
    pid = next(p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] if p["Name"] == "mamori-deny-regions")
    org.detach_policy(PolicyId=pid, TargetId=root)
    drifted = mamori(*drift_args)
    assert drifted.code == 1
    assert "detached" in drifted.out and "mamori-deny-regions" in drifted.out and f"no longer attached to {root}" in drifted.out
    assert mamori("guardrails", "deploy", *common, "--yes").code == 0
    assert mamori(*drift_args).code == 0
    audit = mamori("audit", "list", "--db", str(tmp_path / "m.db"), "-o", "json")
    assert audit.code == 0, audit.err  # the audit log holds every change: the first apply's and the re-attachment
    assert audit.out.count('"guardrails.') == doc["pending"] + 1


def test_impact_on_the_demo_sample(mamori: Callable[..., Run], tmp_path: Path) -> None:
    db = str(tmp_path / "logs.duckdb")
    assert mamori("logs", "ingest", "--logs-db", db, str(SAMPLE)).code == 0
    r = mamori("guardrails", "impact", "--logs-db", db, "--allowed-regions", "us-east-1", "--until", "2026-12-02T00:00:00Z", "-o", "json")
    assert r.code == 0, r.err
    by = {p["policy"]: {a["action"] for a in p["actions"]} for p in json.loads(r.out)["policies"]}
    assert by["mamori-deny-access-keys"] == {"iam:CreateAccessKey"}
    assert by["mamori-protect-security-services"] == {"cloudtrail:StopLogging", "guardduty:UpdateDetector"}
    assert by["mamori-deny-root"] == {"cloudtrail:StartLogging", "iam:UpdateAccessKey"}
    table = mamori("guardrails", "impact", "--logs-db", db, "--until", "2026-12-02T00:00:00Z")
    assert "iam:CreateAccessKey" in table.out and "ci-deployer" in table.out
    none = mamori("guardrails", "impact", "--logs-db", str(tmp_path / "nothing.duckdb"))
    assert none.code == 2 and "mamori logs ingest" in none.err


def test_export(mamori: Callable[..., Run], tmp_path: Path) -> None:
    r = mamori("guardrails", "export", "--format", "terraform", str(tmp_path / "tf"), "--allowed-regions", "us-east-1")
    assert r.code == 0, r.err
    assert (tmp_path / "tf" / "main.tf").exists() and (tmp_path / "tf" / "policies" / "mamori-deny-regions.json").exists()
    r = mamori("guardrails", "export", "--format", "cloudformation", str(tmp_path / "cfn"))
    assert r.code == 0 and (tmp_path / "cfn" / "scps.json").exists()


def test_forwarded_events_reach_events_watch_sqs(mamori: Callable[..., Run], demo_org: str, tmp_path: Path) -> None:
    """A CloudTrail event on the default bus -> mamori's rule -> the central bus -> the queue -> a detection."""
    db = ("--db", str(tmp_path / "m.db"))
    assert mamori("guardrails", "deploy", "--org", "--endpoint-url", demo_org, "--regions", "us-east-1", "--yes", *db).code == 0
    session = boto3.Session(region_name="us-east-1")
    record = {
        "eventVersion": "1.09", "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
        "awsRegion": "us-east-1", "eventTime": "2026-12-01T09:32:01Z", "eventID": "0b2c6a4e-guardrails-e2e",
        "eventType": "AwsApiCall", "recipientAccountId": "123456789012", "requestParameters": {"name": "acme-org-trail"},
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ci-deployer", "accountId": "123456789012"},
    }  # fmt: skip
    events = session.client("events", endpoint_url=demo_org)
    noise = dict(record, eventSource="s3.amazonaws.com", eventName="ListBuckets", eventID="not-forwarded")
    for rec in (record, noise):
        out = events.put_events(Entries=[{"Source": rec["eventSource"].replace(".amazonaws.com", "").join(("aws.", "")),
                                          "DetailType": "AWS API Call via CloudTrail", "Detail": json.dumps(rec)}])  # fmt: skip
        assert out["FailedEntryCount"] == 0
    sqs = session.client("sqs", endpoint_url=demo_org)
    url = sqs.get_queue_url(QueueName="mamori-guardrails-events")["QueueUrl"]
    watch = mamori("events", "watch", "--sqs", url, "--once", "--endpoint-url", demo_org, "--wait", "0", *db, "-o", "json")
    assert watch.code in (0, 1), watch.err
    doc = json.loads(watch.out)
    assert doc["events"] == 1, json.dumps(doc)  # ListBuckets reads no detection: no rule forwarded it
    assert [d["detection"] for d in doc["detections"]] == ["cloudtrail_stop_logging"]
