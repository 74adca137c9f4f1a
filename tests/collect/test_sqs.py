"""SQS collector against moto: queues, encryption kinds, public policies, call counts, failures."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.sqs import seed_sqs
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

REGIONS = ("ap-northeast-1", "us-east-1")
RULES = load_rules().select(["sqs_queue_not_encrypted", "sqs_queue_public"])


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        seed_sqs(SeedEnv(session=sess, endpoint_url=None, regions=REGIONS))
        yield sess


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_queues_and_outcomes(session: boto3.Session) -> None:
    result = collect(session, regions=REGIONS, services=["sqs"])
    inv = result.inventory
    assert not inv.errors
    queues = {q.id: q for q in inv.of_type("aws.sqs.queue")}
    assert {q: (r.region, r.properties["encryption"]) for q, r in queues.items()} == {
        "billing-jobs": ("ap-northeast-1", "SSE-SQS"),
        "billing-jobs-dlq": ("ap-northeast-1", "SSE-KMS"),
        "legacy-import": ("us-east-1", "none"),
        "partner-inbox": ("us-east-1", "SSE-SQS"),
        "ops-alerts-queue": ("us-east-1", "SSE-SQS"),
    }
    assert queues["billing-jobs"].arn == "arn:aws:sqs:ap-northeast-1:123456789012:billing-jobs"
    assert queues["billing-jobs"].properties["policy"] == {} and queues["billing-jobs"].properties["url"].endswith("/billing-jobs")
    assert queues["billing-jobs-dlq"].properties["kms_master_key_id"] == "alias/aws/sqs"
    assert outcomes(inv) == {
        "sqs_queue_not_encrypted": {
            "billing-jobs": "PASS", "billing-jobs-dlq": "PASS", "legacy-import": "FAIL",
            "partner-inbox": "PASS", "ops-alerts-queue": "PASS",
        },
        "sqs_queue_public": {
            "billing-jobs": "PASS", "billing-jobs-dlq": "PASS", "legacy-import": "PASS",
            "partner-inbox": "FAIL", "ops-alerts-queue": "PASS",  # pinned to one topic by aws:SourceArn
        },
    }  # fmt: skip
    calls = result.calls.calls
    assert calls["sqs.ListQueues"] == 2 and calls["sqs.GetQueueAttributes"] == 5


def test_attribute_failure_is_per_queue(session: boto3.Session) -> None:
    deny(session, "sqs", "GetQueueAttributes", code="AccessDenied", regions=["ap-northeast-1"])
    inv = collect(session, regions=REGIONS, services=["sqs"]).inventory
    assert len(inv.errors) == 2 and all(e.partial for e in inv.errors)
    got = outcomes(inv)
    assert got["sqs_queue_not_encrypted"]["billing-jobs"] == "UNKNOWN"
    assert got["sqs_queue_not_encrypted"]["legacy-import"] == "FAIL"
    queue = next(q for q in inv.of_type("aws.sqs.queue") if q.id == "billing-jobs")
    assert queue.arn == "arn:aws:sqs:ap-northeast-1:123456789012:billing-jobs"  # still named without attributes


def test_list_denied_fails_the_region_only(session: boto3.Session) -> None:
    deny(session, "sqs", "ListQueues", regions=["us-east-1"])
    inv = collect(session, regions=REGIONS, services=["sqs"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial) == ("us-east-1", False)
    assert outcomes(inv)["sqs_queue_public"] == {"billing-jobs": "PASS", "billing-jobs-dlq": "PASS", "*": "UNKNOWN"}
