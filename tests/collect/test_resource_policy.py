"""The shared resource-policy reading (S3, SNS, SQS, Lambda): who a policy opens a resource to."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from mamori.collect.aws.policy import decode_document, public_statements, restricting, wildcard_principal
from mamori.collect.aws.services import iam_policy, s3_policy


def allow(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage", "Resource": "*"}
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


@pytest.mark.parametrize(
    ("stmt", "public"),
    [
        (allow("*"), True),
        (allow({"AWS": "*"}), True),
        (allow({"AWS": ["arn:aws:iam::111122223333:root", "*"]}), True),
        (allow({"CanonicalUser": "*"}), True),
        (allow({"AWS": "arn:aws:iam::111122223333:root"}), False),
        (allow({"Service": "sns.amazonaws.com"}), False),
        (allow("*", {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}}), False),
        (allow({"AWS": "*"}, {"StringEquals": {"AWS:SourceOwner": "111122223333"}}), False),  # SNS's default policy
        (allow("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), False),
        (allow("*", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), True),
        (allow("*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), False),
        (allow("*", {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}), True),
        (allow("*", {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}), True),
        (allow("*", {"StringEquals": {"aws:SourceAccount": "*"}}), True),
        (allow("*", {"Bool": {"aws:SecureTransport": "true"}}), True),
        (allow("*", {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}), True),  # a public function URL
        ({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}, False),
        ({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "*"}, True),
    ],
)
def test_public_statements(stmt: dict[str, Any], public: bool) -> None:
    assert bool(public_statements({"Version": "2012-10-17", "Statement": [stmt]})) is public


def test_evidence_names_the_statements() -> None:
    policy = {"Statement": [allow({"AWS": "arn:aws:iam::111122223333:root"}), {**allow("*"), "Sid": "Open"}]}
    assert public_statements(policy) == [{"sid": "Open", "index": 1, "action": ["sqs:SendMessage"]}]
    assert public_statements({"Statement": allow("*")})[0]["index"] == 0  # a single statement object
    assert public_statements(None) == [] and public_statements({}) == []


def test_decode_document() -> None:
    doc = {"Version": "2012-10-17", "Statement": [allow("*")]}
    text = json.dumps(doc)
    assert decode_document(doc) is doc
    assert decode_document(text) == doc and decode_document(quote(text)) == doc
    assert decode_document("") is None and decode_document("not json") is None and decode_document("[1]") is None
    assert decode_document(None) is None


def test_helpers_and_the_modules_that_reuse_them() -> None:
    assert wildcard_principal(allow("*")) and not wildcard_principal(allow({"Service": "s3.amazonaws.com"}))
    assert not restricting(None) and not restricting({"Null": {"aws:SourceArn": "false"}})
    # S3 and IAM keep their public names, now backed by the shared module
    assert s3_policy.public_statements is public_statements
    assert iam_policy.decode_document is decode_document
