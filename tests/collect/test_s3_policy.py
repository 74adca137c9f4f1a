"""Reading bucket policies and ACLs: public statements, TLS-only statements, public grants."""

from __future__ import annotations

from typing import Any

import pytest

from mamori.collect.aws.services.s3_policy import (
    ALL_USERS,
    AUTHENTICATED_USERS,
    denies_insecure_transport,
    grants_read,
    grants_write,
    public_grants,
    public_statements,
)

ARN = "arn:aws:s3:::acme-data"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal: Any, condition: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    stmt = {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": f"{ARN}/*", **extra}
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


@pytest.mark.parametrize(
    "stmt",
    [
        allow("*"),
        allow({"AWS": "*"}),
        allow({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
        allow("*", {"Bool": {"aws:SecureTransport": "true"}}),  # says how, not who
        allow("*", {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),  # a negation restricts nobody
        allow("*", {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}),
        allow("*", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
        allow("*", {"StringEquals": {"aws:PrincipalOrgID": "*"}}),
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": ARN},
    ],
)
def test_public_statements(stmt: dict[str, Any]) -> None:
    assert len(public_statements(policy(stmt))) == 1


@pytest.mark.parametrize(
    "stmt",
    [
        allow({"AWS": "arn:aws:iam::111122223333:root"}),
        allow({"Service": "logging.s3.amazonaws.com"}),
        allow("*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
        allow("*", {"StringEquals": {"AWS:PrincipalOrgID": "o-abc"}}),
        allow("*", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}),
        allow("*", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-abc/r-1/*"]}}),
        {**allow("*"), "Effect": "Deny"},
    ],
)
def test_not_public_statements(stmt: dict[str, Any]) -> None:
    assert public_statements(policy(stmt)) == []


def test_public_statement_evidence_and_single_statement_documents() -> None:
    doc = {"Statement": {**allow("*"), "Sid": "Web"}}
    assert public_statements(doc) == [{"sid": "Web", "index": 0, "action": ["s3:GetObject"]}]
    assert public_statements({}) == []


def tls(**over: Any) -> dict[str, Any]:
    stmt = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [ARN, f"{ARN}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return {**stmt, **over}


@pytest.mark.parametrize(
    "stmt",
    [
        tls(),
        tls(Principal={"AWS": "*"}, Action=["*"], Resource="*"),
        tls(Condition={"Bool": {"aws:securetransport": False}}),
        tls(Condition={"BoolIfExists": {"aws:SecureTransport": ["false"]}}),
        tls(Resource="arn:aws:s3:::acme-*/*"),
    ],
)
def test_denies_insecure_transport(stmt: dict[str, Any]) -> None:
    assert denies_insecure_transport(policy(stmt), "acme-data") is True


@pytest.mark.parametrize(
    "stmt",
    [
        tls(Effect="Allow"),
        tls(Principal={"AWS": "arn:aws:iam::111122223333:root"}),
        tls(Action="s3:GetObject"),
        tls(Resource="arn:aws:s3:::other-bucket/*"),
        tls(Resource=ARN),  # the bucket, not its objects
        tls(Condition={"Bool": {"aws:SecureTransport": "true"}}),
        tls(Condition={"NumericLessThan": {"s3:TlsVersion": "1.2"}}),  # plain HTTP has no TLS version
    ],
)
def test_does_not_deny_insecure_transport(stmt: dict[str, Any]) -> None:
    assert denies_insecure_transport(policy(stmt), "acme-data") is False


def test_public_grants() -> None:
    grants = [
        {"Grantee": {"Type": "CanonicalUser", "ID": "owner"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
        {"Grantee": {"Type": "Group", "URI": AUTHENTICATED_USERS}, "Permission": "WRITE_ACP"},
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}, "Permission": "WRITE"},
    ]
    found = public_grants(grants)
    assert found == [{"grantee": "AllUsers", "permission": "READ"}, {"grantee": "AuthenticatedUsers", "permission": "WRITE_ACP"}]
    assert grants_read(found) and grants_write(found)
    assert not grants_write(found[:1]) and not grants_read(found[1:])
