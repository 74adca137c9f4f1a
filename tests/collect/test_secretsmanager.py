"""Secrets Manager collector against moto: rotation, last rotation and last access, one call per region."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from mamori.collect.aws.services.secretsmanager import secret_properties
from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.secretsmanager import backdate_secret, seed_secretsmanager
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

REGIONS = ("ap-northeast-1", "us-east-1")
RULES = load_rules().select([r.id for r in load_rules() if r.id.startswith("secretsmanager_")])


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        seed_secretsmanager(SeedEnv(session=sess, endpoint_url=None, regions=REGIONS))
        yield sess


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, RULES).results:
        if r.account == "123456789012":
            out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_secrets_and_outcomes(session: boto3.Session) -> None:
    result = collect(session, regions=REGIONS, services=["secretsmanager"])
    inv = result.inventory
    assert not inv.errors
    secrets = {s.id: s for s in inv.of_type("aws.secretsmanager.secret")}
    assert set(secrets) == {"prod/billing-api/db", "prod/stripe/api-key"}  # dev's secret lives in the dev account
    db = secrets["prod/billing-api/db"]
    assert db.region == "ap-northeast-1" and ":secret:prod/billing-api/db-" in db.arn
    assert db.properties["rotation_enabled"] is True and db.properties["rotation_interval_days"] == 30
    assert db.properties["last_rotated"] not in ("never", "") and db.properties["rotated_since"] == db.properties["last_rotated"]
    assert db.properties["last_accessed"] == "never"  # moto never reports LastAccessedDate
    stripe = secrets["prod/stripe/api-key"]
    assert stripe.tags == {"team": "payments"}
    assert stripe.properties["rotation_enabled"] is False and stripe.properties["last_rotated"] == "never"
    created = datetime.fromisoformat(stripe.properties["created"])
    assert datetime.now(UTC) - created > timedelta(days=199)
    assert stripe.properties["unused_since"] == stripe.properties["rotated_since"] == stripe.properties["created"]
    assert outcomes(inv) == {
        "secretsmanager_secret_rotation_disabled": {"prod/billing-api/db": "PASS", "prod/stripe/api-key": "FAIL"},
        "secretsmanager_secret_not_rotated_90_days": {"prod/billing-api/db": "PASS", "prod/stripe/api-key": "FAIL"},
        "secretsmanager_secret_unused_90_days": {"prod/billing-api/db": "PASS", "prod/stripe/api-key": "FAIL"},
    }
    calls = result.calls.calls
    assert calls["secretsmanager.ListSecrets"] == 2 and sum(calls.values()) - calls["sts.GetCallerIdentity"] == 2


def test_list_denied_fails_the_region_only(session: boto3.Session) -> None:
    deny(session, "secretsmanager", "ListSecrets", regions=["us-east-1"])
    inv = collect(session, regions=REGIONS, services=["secretsmanager"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.operation) == ("us-east-1", False, "ListSecrets")
    got = outcomes(inv)
    assert got["secretsmanager_secret_rotation_disabled"] == {"prod/billing-api/db": "PASS", "*": "UNKNOWN"}


def test_what_real_aws_reports() -> None:
    """LastAccessedDate (moto omits it) and a secret rotated long ago."""
    now = datetime.now(UTC)
    props = secret_properties(
        {
            "Name": "x",
            "CreatedDate": now - timedelta(days=400),
            "LastAccessedDate": now - timedelta(days=3),
            "LastRotatedDate": now - timedelta(days=100),
            "RotationEnabled": True,
            "RotationRules": {"ScheduleExpression": "rate(30 days)"},
            "OwningService": "rds",
        }
    )
    assert props["unused_since"] == props["last_accessed"] != "never"
    assert props["rotated_since"] == props["last_rotated"] and props["rotation_schedule"] == "rate(30 days)"
    assert props["owning_service"] == "rds" and props["rotation_interval_days"] == 0


def test_backdate_outside_moto_is_a_no_op() -> None:
    with isolated_aws():
        assert backdate_secret("123456789012", "us-east-1", "no-such-secret", days=10) is False
