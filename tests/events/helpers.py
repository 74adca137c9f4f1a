"""Record builders and corpus helpers for the events and logs tests."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"  # moto's default account
_ids = itertools.count(1)


def generator() -> ModuleType:
    """benchmarks/events/make_cloudtrail.py, imported by path."""
    name = "mamori_bench_make_cloudtrail"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "events" / "make_cloudtrail.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


def user(name: str = "alice", account: str = ACCOUNT, key: str = "AKIA-TEST-ALICE") -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": "AIDATEST", "arn": f"arn:aws:iam::{account}:user/{name}",
            "accountId": account, "accessKeyId": key, "userName": name}  # fmt: skip


def role_session(role: str = "ops-automation", session: str = "s1", account: str = ACCOUNT) -> dict[str, Any]:
    return {
        "type": "AssumedRole", "principalId": f"AROATEST:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account, "accessKeyId": "ASIA-TEST",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROATEST", "arn": f"arn:aws:iam::{account}:role/{role}",
                                             "accountId": account, "userName": role},
                           "attributes": {"mfaAuthenticated": "false", "creationDate": "2026-03-01T00:00:00Z"}},
    }  # fmt: skip


BASE_TIME = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def record(at: datetime | None = None, **fields: Any) -> dict[str, Any]:
    n = next(_ids)
    rec: dict[str, Any] = {
        "eventVersion": "1.09", "userIdentity": user(), "eventTime": (at or BASE_TIME + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "iam.amazonaws.com", "eventName": "ListUsers", "awsRegion": "us-east-1",
        "sourceIPAddress": "133.1.1.10", "userAgent": "aws-cli/2", "requestParameters": None, "responseElements": None,
        "requestID": f"req-{n}", "eventID": f"00000000-0000-4000-8000-{n:012d}", "eventType": "AwsApiCall",
        "readOnly": False, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
    }  # fmt: skip
    rec.update(fields)
    return rec


def stop_logging(trail: str = "org-trail", *, ident: dict[str, Any] | None = None, at: datetime | None = None, **kw: Any) -> dict[str, Any]:
    return record(at, eventSource="cloudtrail.amazonaws.com", eventName="StopLogging",
                  requestParameters={"name": trail}, userIdentity=ident or role_session(), **kw)  # fmt: skip
