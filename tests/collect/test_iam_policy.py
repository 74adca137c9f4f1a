"""Policy-document facts and credential-report cells, without AWS."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from mamori.collect.aws.services.iam_policy import admin_statements, decode_document, public_trust_statements
from mamori.collect.aws.services.iam_report import flag, key_slots, last_used, latest, parse_report, timestamp


def _doc(*stmts: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(stmts)}


@pytest.mark.parametrize(
    ("stmt", "admin"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
        ({"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["*"]}, True),
        ({"Effect": "Allow", "Action": "*:*", "Resource": "*"}, True),
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::acme-prod-logs/*"}, False),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, False),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}, False),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, False),
    ],
)
def test_admin_statements(stmt: dict[str, Any], admin: bool) -> None:
    assert bool(admin_statements(_doc(stmt))) is admin


def test_single_statement_object_and_encoded_documents() -> None:
    doc = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    assert admin_statements(doc) == [doc["Statement"]]
    assert decode_document(quote(json.dumps(doc))) == doc
    assert decode_document(json.dumps(doc)) == doc
    assert decode_document("not json") is None and decode_document(None) is None
    assert admin_statements(None) == []


@pytest.mark.parametrize(
    ("principal", "condition", "public"),
    [
        ("*", None, True),
        ({"AWS": "*"}, None, True),
        ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, None, True),
        ({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, False),
        ({"AWS": "arn:aws:iam::111122223333:root"}, None, False),
        ({"Service": "lambda.amazonaws.com"}, None, False),
    ],
)
def test_public_trust(principal: Any, condition: Any, public: bool) -> None:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        stmt["Condition"] = condition
    assert bool(public_trust_statements(_doc(stmt))) is public


def test_report_cells() -> None:
    assert last_used("N/A") == last_used("no_information") == "never"
    assert last_used("not_supported") is None and last_used("") is None
    assert last_used("2026-01-02T03:04:05+00:00") == "2026-01-02T03:04:05+00:00"
    assert timestamp("2026-01-02 03:04:05.123+00:00") == "2026-01-02T03:04:05.123000+00:00"
    assert timestamp("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05+00:00"
    assert flag("true") is True and flag("false") is False and flag("not_supported") is None
    assert latest(["never", "2026-01-01T00:00:00+00:00", "2025-01-01T00:00:00+00:00"]) == "2026-01-01T00:00:00+00:00"
    assert latest(["never", "never"]) == "never"
    assert latest(["never", None]) is None


def test_parse_report_separates_the_root_row() -> None:
    text = (
        "user,arn,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
        "access_key_2_active,access_key_2_last_rotated\n"
        "<root_account>,arn:aws:iam::1:root,true,false,N/A,N/A,false,N/A\n"
        "alice,arn:aws:iam::1:user/alice,true,true,2026-01-01T00:00:00+00:00,N/A,false,2025-06-01T00:00:00+00:00\n"
    )
    report = parse_report(text.encode())
    assert report.root is not None and report.root["mfa_active"] == "true"
    assert list(report.users) == ["alice"]
    assert key_slots(report.root) == []
    slots = key_slots(report.users["alice"])
    assert [(s["slot"], s["active"], s["last_used_date"]) for s in slots] == [(1, True, "never"), (2, False, None)]
