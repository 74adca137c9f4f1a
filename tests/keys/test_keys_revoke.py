"""Leaked-key response: locate, disable, revoke sessions, record, next steps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest

from mamori import audit
from mamori.collect.aws.session import AwsTarget
from mamori.config.guardrails import GuardrailsConfig
from mamori.demo.estate import DEV_ACCOUNT, assume
from mamori.errors import InputError
from mamori.findings import Store
from mamori.keys.revoke import revoke
from mamori.remediate.clients import Clients
from mamori.remediate.errors import RemediationError
from mamori.remediate.model import ChangeStatus
from mamori.remediate.repo import RemediationStore
from mamori.remediate.rollback import rollback_change
from tests.remediate.conftest import ACCOUNT, Aws, finding

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _leaky(aws: Aws) -> str:
    iam = aws.client("iam")
    iam.create_user(UserName="leaky")
    return str(iam.create_access_key(UserName="leaky")["AccessKey"]["AccessKeyId"])


def test_revoke_disables_the_key_and_blocks_older_sessions(aws: Aws, store: Store) -> None:
    kid = _leaky(aws)
    res = revoke(store.engine, aws.clients, kid, actor="responder", now=NOW, sleep=lambda s: None)
    assert (res.located.account, res.located.user, res.located.source, res.located.status) == (ACCOUNT, "leaky", "IAM", "Active")
    assert res.report is not None and {c.action: c.status for c in res.report.plan.changes} == {
        "iam_disable_access_key": ChangeStatus.APPLIED, "iam_revoke_user_sessions": ChangeStatus.APPLIED,
    }  # fmt: skip
    iam = aws.client("iam")
    assert iam.list_access_keys(UserName="leaky")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    doc = iam.get_user_policy(UserName="leaky", PolicyName="mamori-revoke-sessions")["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    assert doc["Statement"][0]["Condition"] == {"DateLessThan": {"aws:TokenIssueTime": "2026-11-23T09:30:00Z"}}
    assert any(f"mamori logs query key {kid}" in s for s in res.next_steps)
    entry = audit.entries(store.engine, action="keys.revoke")[0]
    assert entry.subject == kid and entry.details["user"] == "leaky" and entry.details["dry_run"] is False
    # after the incident: the session block can be lifted by rolling back that change
    rstore = RemediationStore(store.engine)
    sessions = next(c for c in res.report.plan.changes if c.action == "iam_revoke_user_sessions")
    rollback_change(rstore, aws.clients, rstore.change(sessions.id), GuardrailsConfig(verify_delay_seconds=0), actor="responder")
    assert iam.list_user_policies(UserName="leaky")["PolicyNames"] == []


def test_dry_run_changes_nothing_but_stores_the_plan(aws: Aws, sqlite_store: Store) -> None:
    kid = _leaky(aws)
    res = revoke(sqlite_store.engine, aws.clients, kid, actor="responder", dry_run=True)
    assert res.report is None and aws.clients.mutating() == []
    assert {c.status for c in RemediationStore(sqlite_store.engine).plan(res.plan.id).changes} == {ChangeStatus.PLANNED}


def test_account_found_from_findings_among_several(aws: Aws, sqlite_store: Store) -> None:
    from mamori.demo.estate import DEMO_ROLE

    iam = aws.client("iam")
    iam.create_role(RoleName=DEMO_ROLE, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    dev = assume(aws.session, DEV_ACCOUNT, None)
    dev.client("iam").create_user(UserName="dev-ci")
    kid = dev.client("iam").create_access_key(UserName="dev-ci")["AccessKey"]["AccessKeyId"]
    sqlite_store.upsert_findings([finding("iam_access_key_older_than_90_days", "aws.iam.access_key", kid, "global", account=DEV_ACCOUNT)], actor="t")
    clients = Clients.from_targets(
        [AwsTarget(home_region="us-east-1"), AwsTarget(home_region="us-east-1")], [lambda: aws.session, lambda: dev]
    )
    res = revoke(sqlite_store.engine, clients, kid, actor="r", dry_run=True)
    assert (res.located.account, res.located.source) == (DEV_ACCOUNT, "findings")
    only_prod = Clients.from_targets([AwsTarget(home_region="us-east-1")], [lambda: aws.session])
    with pytest.raises(RemediationError, match=f"saw it in {DEV_ACCOUNT}: pass --role-arn"):
        revoke(sqlite_store.engine, only_prod, kid, actor="r")


def test_unknown_and_malformed_keys(aws: Aws, sqlite_store: Store) -> None:
    with pytest.raises(RemediationError, match="not found in the accounts mamori can reach"):
        revoke(sqlite_store.engine, aws.clients, "AKIAIOSFODNN7EXAMPLE", actor="r")
    with pytest.raises(InputError, match="does not look like an access key id"):
        revoke(sqlite_store.engine, aws.clients, "not-a-key", actor="r")
    # the secret access key pasted by mistake is never echoed (issue 12, item 13)
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    with pytest.raises(InputError) as err:
        revoke(sqlite_store.engine, aws.clients, secret, actor="r")
    assert "wJal" not in str(err.value) and "K7MDENG" not in str(err.value)
    assert str(err.value).startswith("the value given (40 characters) does not look like an access key id")
    assert boto3  # the module is used for sessions above
