"""CloudWatch Logs collector against moto: retention, KMS, one call per region, failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.logs import seed_logs
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

REGIONS = ("ap-northeast-1", "us-east-1")
RULES = load_rules().select(["logs_log_group_retention_short", "logs_log_group_not_encrypted_with_kms"])


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        seed_logs(SeedEnv(session=sess, endpoint_url=None, regions=REGIONS))
        yield sess


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_log_groups_and_outcomes(session: boto3.Session) -> None:
    result = collect(session, regions=REGIONS, services=["logs"])
    inv = result.inventory
    assert not inv.errors
    groups = {g.id: g for g in inv.of_type("aws.logs.log_group")}
    audit = groups["/acme/billing-api/audit"]
    assert audit.region == "ap-northeast-1"
    assert audit.arn == "arn:aws:logs:ap-northeast-1:123456789012:log-group:/acme/billing-api/audit"
    assert audit.properties["retention_days"] == 400 and audit.properties["encrypted_with_kms"] is True
    assert audit.properties["kms_key_id"].startswith("arn:aws:kms:ap-northeast-1:") and audit.properties["created"]
    app = groups["/acme/prod/app"].properties
    assert app["retention_days"] == 0 and app["never_expires"] is True and app["kms_key_id"] == ""
    assert outcomes(inv) == {
        "logs_log_group_retention_short": {
            "/acme/billing-api/audit": "PASS", "/aws/lambda/billing-api": "FAIL", "/acme/prod/app": "PASS",
        },
        "logs_log_group_not_encrypted_with_kms": {
            "/acme/billing-api/audit": "PASS", "/aws/lambda/billing-api": "FAIL", "/acme/prod/app": "FAIL",
        },
    }  # fmt: skip
    assert result.calls.calls["logs.DescribeLogGroups"] == 2


def test_denied_region_is_unknown_there_only(session: boto3.Session) -> None:
    deny(session, "logs", "DescribeLogGroups", regions=["us-east-1"])
    inv = collect(session, regions=REGIONS, services=["logs"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial) == ("us-east-1", False)
    assert outcomes(inv)["logs_log_group_retention_short"] == {
        "/acme/billing-api/audit": "PASS", "/aws/lambda/billing-api": "FAIL", "*": "UNKNOWN",
    }  # fmt: skip
