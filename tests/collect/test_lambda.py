"""Lambda collector against moto: functions, policies, URLs, call counts and failure paths."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from mamori.collect.aws.services.awslambda import unrestricted_service_statements
from mamori.demo.estate import SeedEnv
from mamori.demo.seeds.awslambda import seed_lambda
from mamori.engine import evaluate
from mamori.model import Inventory
from mamori.rules import load_rules

from ..awsutil import collect, deny
from .isolated import isolated_aws

REGIONS = ("ap-northeast-1", "us-east-1")
RULE_IDS = [r.id for r in load_rules() if r.id.startswith("lambda_")]
RULES = load_rules().select(RULE_IDS)


@pytest.fixture
def session() -> Iterator[boto3.Session]:
    with isolated_aws():
        sess = boto3.Session(region_name="us-east-1")
        seed_lambda(SeedEnv(session=sess, endpoint_url=None, regions=REGIONS))
        yield sess


def outcomes(inv: Inventory) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for r in evaluate(inv, RULES).results:
        out.setdefault(r.rule_id, {})[r.resource_id] = r.status.value
    return out


def test_functions_and_their_properties(session: boto3.Session) -> None:
    inv = collect(session, regions=REGIONS, services=["lambda"]).inventory
    assert not inv.errors
    fns = {f.id: f for f in inv.of_type("aws.lambda.function")}
    assert set(fns) == {"billing-api", "thumbnailer", "stripe-webhook", "legacy-report"}
    billing = fns["billing-api"]
    assert billing.region == "ap-northeast-1" and billing.arn.endswith(":function:billing-api")
    p = billing.properties
    assert p["runtime"] == "python3.12" and p["package_type"] == "Zip" and p["in_vpc"] is True
    assert p["subnet_ids"] and p["security_group_ids"]
    assert p["policy"] == {} and p["policy_public"] is False and p["url_auth_type"] == "AWS_IAM"
    hook = fns["stripe-webhook"].properties
    assert hook["in_vpc"] is False and hook["url_auth_type"] == "NONE" and hook["url"].startswith("https://")
    assert hook["policy_public"] is True and hook["public_statements"][0]["sid"] == "public-url"
    thumb = fns["thumbnailer"].properties
    assert thumb["url"] == "" and thumb["url_auth_type"] == ""
    assert thumb["policy"]["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert thumb["policy_public"] is False  # the source account is pinned


def test_rule_outcomes(session: boto3.Session) -> None:
    got = outcomes(collect(session, regions=REGIONS, services=["lambda"]).inventory)
    assert got["lambda_function_public"] == {
        "billing-api": "PASS", "thumbnailer": "PASS", "stripe-webhook": "FAIL", "legacy-report": "PASS",
    }  # fmt: skip
    assert got["lambda_function_url_public"] == {"billing-api": "PASS", "stripe-webhook": "FAIL"}
    assert got["lambda_function_runtime_deprecated"] == {
        "billing-api": "PASS", "thumbnailer": "FAIL", "stripe-webhook": "PASS", "legacy-report": "FAIL",
    }  # fmt: skip
    assert got["lambda_function_not_in_vpc"] == {
        "billing-api": "PASS", "thumbnailer": "FAIL", "stripe-webhook": "FAIL", "legacy-report": "FAIL",
    }  # fmt: skip


def test_calls_per_scan(session: boto3.Session) -> None:
    calls = collect(session, regions=REGIONS, services=["lambda"]).calls.calls
    assert calls["lambda.ListFunctions"] == 2  # once per region
    assert calls["lambda.GetPolicy"] == calls["lambda.GetFunctionUrlConfig"] == 4  # once per function


def test_denied_policy_read_is_unknown_for_that_rule_only(session: boto3.Session) -> None:
    deny(session, "lambda", "GetPolicy")
    inv = collect(session, regions=REGIONS, services=["lambda"]).inventory
    assert len(inv.errors) == 4 and all(e.partial and e.operation == "GetPolicy" for e in inv.errors)
    got = outcomes(inv)
    assert set(got["lambda_function_public"].values()) == {"UNKNOWN"}
    assert got["lambda_function_url_public"] == {"billing-api": "PASS", "stripe-webhook": "FAIL"}


def test_denied_url_config_is_unknown_not_pass(session: boto3.Session) -> None:
    deny(session, "lambda", "GetFunctionUrlConfig", regions=["us-east-1"])
    got = outcomes(collect(session, regions=REGIONS, services=["lambda"]).inventory)
    assert got["lambda_function_url_public"] == {
        "billing-api": "PASS", "stripe-webhook": "UNKNOWN", "legacy-report": "UNKNOWN",
    }  # fmt: skip


def test_list_functions_denied_fails_that_region_only(session: boto3.Session) -> None:
    deny(session, "lambda", "ListFunctions", regions=["us-east-1"])
    inv = collect(session, regions=REGIONS, services=["lambda"]).inventory
    [err] = inv.errors
    assert (err.region, err.partial, err.operation) == ("us-east-1", False, "ListFunctions")
    got = outcomes(inv)["lambda_function_not_in_vpc"]
    assert got == {"billing-api": "PASS", "thumbnailer": "FAIL", "*": "UNKNOWN"}


def test_unrestricted_service_principal() -> None:
    s3 = {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction"}
    pinned = {**s3, "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}}
    events = {**s3, "Principal": {"Service": "events.amazonaws.com"}}
    assert [s["index"] for s in unrestricted_service_statements({"Statement": [s3, pinned, events]})] == [0]
    assert unrestricted_service_statements(None) == []
