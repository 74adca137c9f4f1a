"""The impact report: which logged calls each SCP would have denied (the demo's CloudTrail sample)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.guardrails.impact import Call, action_of, report, statement_denies
from mamori.guardrails.policies import ScpOptions, generate
from mamori.logs import LogStore

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "AWSLogs"
UNTIL = datetime(2026, 12, 2, tzinfo=UTC)  # the sample is the morning of 2026-12-01
CI = "arn:aws:iam::123456789012:user/ci-deployer"
ROOT = "arn:aws:iam::123456789012:root"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogStore]:
    with LogStore(tmp_path_factory.mktemp("logs") / "logs.duckdb") as store:
        store.ingest([SAMPLE])
        yield store


def _denied(store: LogStore, opts: ScpOptions, **kw: object) -> dict[str, set[tuple[str, str]]]:
    rep = report(store.con, generate(opts), days=30, until=UNTIL, **kw)  # type: ignore[arg-type]
    return {p.name: {(c.action, c.principal) for c in p.calls} for p in rep.policies}


def test_the_demo_sample_names_the_calls_each_policy_would_deny(logs: LogStore) -> None:
    got = _denied(logs, ScpOptions(allowed_regions=("us-east-1",)))
    assert got == {
        "mamori-deny-access-keys": {("iam:CreateAccessKey", CI)},
        "mamori-deny-regions": {("ec2:AuthorizeSecurityGroupIngress", CI)},  # the one call in ap-northeast-1
        "mamori-deny-leave-organization": set(),
        "mamori-protect-security-services": {("cloudtrail:StopLogging", CI), ("guardduty:UpdateDetector", CI)},
        "mamori-protect-mamori": set(),
        "mamori-deny-root": {("cloudtrail:StartLogging", ROOT), ("iam:UpdateAccessKey", ROOT)},
    }


def test_what_is_not_counted_and_the_window(logs: LogStore) -> None:
    rep = report(logs.con, generate(ScpOptions()), days=30, until=UNTIL)
    # the root console sign-in is not an API call an SCP denies; the AccessDenied call was denied anyway
    assert rep.skipped == {"console_sign_in": 1, "already_denied": 1}
    assert rep.evaluated == 11
    assert report(logs.con, generate(ScpOptions()), days=1, until=datetime(2026, 11, 30, tzinfo=UTC)).evaluated == 0
    # only the target's accounts: the sample's account is outside (e.g. the management account)
    outside = report(logs.con, generate(ScpOptions()), days=30, until=UNTIL, accounts=["210987654321"])
    assert outside.evaluated == 0 and outside.skipped["outside_target"] == 11


def test_break_glass_and_allowed_regions_are_not_denied(logs: LogStore) -> None:
    got = _denied(logs, ScpOptions(allowed_regions=("us-east-1", "ap-northeast-1"), break_glass_role=CI.replace("user/", "role/")))
    assert got["mamori-deny-regions"] == set()
    exempt = _denied(logs, ScpOptions(break_glass_role="arn:aws:iam::*:user/ci-deployer"))  # ArnNotLike on the principal
    assert exempt["mamori-deny-access-keys"] == set() and exempt["mamori-protect-security-services"] == set()


@pytest.mark.parametrize(("source", "name", "action"), [
    ("iam.amazonaws.com", "CreateAccessKey", "iam:CreateAccessKey"),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", "lambda:UpdateFunctionCode"),
    ("monitoring.amazonaws.com", "PutMetricAlarm", "cloudwatch:PutMetricAlarm"),
    ("s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"),
])  # fmt: skip
def test_event_to_action(source: str, name: str, action: str) -> None:
    assert action_of(source, name) == action


def test_resource_scoped_statements_match_the_rebuilt_arn() -> None:
    scp = {s.name: s for s in generate(ScpOptions())}["mamori-protect-mamori"]
    role, _stack, rule = scp.document["Statement"]
    mine = Call(None, "111122223333", "us-east-1", "arn:aws:iam::111122223333:role/dev", "iam:DeleteRole",
                ("arn:aws:iam::111122223333:role/mamori-scanner",))  # fmt: skip
    other = Call(None, "111122223333", "us-east-1", "arn:aws:iam::111122223333:role/dev", "iam:DeleteRole",
                 ("arn:aws:iam::111122223333:role/app",))  # fmt: skip
    via_stacksets = Call(None, "111122223333", "us-east-1", "arn:aws:iam::111122223333:role/stacksets-exec-abc",
                         "events:DeleteRule", ("arn:aws:events:us-east-1:111122223333:rule/mamori-iam",))  # fmt: skip
    by_hand = Call(None, "111122223333", "us-east-1", "arn:aws:iam::111122223333:role/dev", "events:DeleteRule",
                   ("arn:aws:events:us-east-1:111122223333:rule/mamori-iam",))  # fmt: skip
    assert statement_denies(role, mine) == (True, False)
    assert statement_denies(role, other) == (False, False)
    assert statement_denies(rule, via_stacksets) == (False, False)
    assert statement_denies(rule, by_hand) == (True, False)
    unknown = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    assert statement_denies(unknown, by_hand) == (True, True)  # counted, and flagged as not evaluated


_TEXT = st.text(max_size=80)


@given(source=_TEXT, name=_TEXT, region=_TEXT, principal=_TEXT, arn=_TEXT)
def test_any_logged_call_is_evaluated_without_error(source: str, name: str, region: str, principal: str, arn: str) -> None:
    """Records are attacker-controlled: whatever the fields hold, evaluation answers (and never raises)."""
    call = Call(None, "111122223333", region, principal, action_of(source, name), (arn,))
    for scp in generate(ScpOptions(allowed_regions=("us-east-1",), break_glass_role="arn:aws:iam::*:role/bg")):
        for stmt in scp.document["Statement"]:
            denied, unevaluated = statement_denies(stmt, call)
            assert isinstance(denied, bool) and unevaluated is False
