"""SNS collector against moto: topics, encryption, public policies, call counts, failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.sns import seed_sns
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

REGIONS = ("ap-northeast-1", "us-east-1")
RULES = load_rules().select(["sns_topic_not_encrypted", "sns_topic_public"])


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        seed_sns(SeedEnv(session=sess, endpoint_url=None, regions=REGIONS))
        yield sess


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_topics_and_outcomes(session: boto3.Session) -> None:
    result = collect(session, regions=REGIONS, services=["sns"])
    inv = result.inventory
    assert not inv.errors
    topics = {t.id: t for t in inv.of_type("aws.sns.topic")}
    assert {t: r.region for t, r in topics.items()} == {
        "billing-events": "ap-northeast-1", "ops-alerts": "us-east-1", "partner-notifications": "us-east-1",
    }  # fmt: skip
    billing = topics["billing-events"]
    assert billing.arn == "arn:aws:sns:ap-northeast-1:123456789012:billing-events"
    assert billing.properties["kms_master_key_id"] == "alias/aws/sns" and billing.properties["encrypted"] is True
    # moto's default policy: {"AWS": "*"} pinned by AWS:SourceOwner, which is not public
    assert billing.properties["policy"]["Statement"] and billing.properties["policy_public"] is False
    partner = topics["partner-notifications"].properties
    assert partner["policy_public"] is True and partner["public_statements"][0]["sid"] == "Partners"
    assert outcomes(inv) == {
        "sns_topic_not_encrypted": {"billing-events": "PASS", "ops-alerts": "FAIL", "partner-notifications": "PASS"},
        "sns_topic_public": {"billing-events": "PASS", "ops-alerts": "PASS", "partner-notifications": "FAIL"},
    }
    calls = result.calls.calls
    assert calls["sns.ListTopics"] == 2 and calls["sns.GetTopicAttributes"] == 3


def test_attribute_failure_is_per_topic(session: boto3.Session) -> None:
    deny(session, "sns", "GetTopicAttributes", regions=["us-east-1"])
    inv = collect(session, regions=REGIONS, services=["sns"]).inventory
    assert len(inv.errors) == 2 and all(e.partial for e in inv.errors)
    assert outcomes(inv)["sns_topic_public"] == {
        "billing-events": "PASS", "ops-alerts": "UNKNOWN", "partner-notifications": "UNKNOWN",
    }  # fmt: skip


def test_list_denied_fails_the_region_only(session: boto3.Session) -> None:
    deny(session, "sns", "ListTopics", regions=["ap-northeast-1"])
    inv = collect(session, regions=REGIONS, services=["sns"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial) == ("ap-northeast-1", False)
    got = outcomes(inv)["sns_topic_not_encrypted"]
    assert got == {"*": "UNKNOWN", "ops-alerts": "FAIL", "partner-notifications": "PASS"}
