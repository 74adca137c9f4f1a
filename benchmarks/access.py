"""Just-in-time access at scale: N requests approved (Identity Center assignments) and expired.

    python benchmarks/access.py [--requests 200] [--users 20] [--db URL] [--json]

Against moto's IAM Identity Center in this process (the AWS side is emulated: real API
latency is not measured), times each phase (wall clock and this process's CPU):

1. request — `access.service.request_access` for N requests (users round-robin, one account,
             the same permission set: most grants overlap another of the same user)
2. approve — one approval each: resolves the user and permission set, checks for an overlapping
             active grant, creates the assignment when none exists, audits
3. expire  — `access.service.expire` once, after every grant's end: deletes each assignment
             no other active grant needs, adds the deny for older sessions, audits
4. verify  — `mamori audit verify` over the chain those phases wrote
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import boto3
from moto import mock_aws

from mamori import audit
from mamori.access import service
from mamori.access.granters import IdentityCenterGranter
from mamori.access.service import NewRequest
from mamori.config.access import AccessConfig
from mamori.findings import Store

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
ACCOUNT = "123456789012"


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--db", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, mock_aws():
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
        sso = session.client("sso-admin")
        inst = sso.list_instances()["Instances"][0]
        ids = session.client("identitystore")
        users = [f"user{i:03d}" for i in range(args.users)]
        for u in users:
            ids.create_user(IdentityStoreId=inst["IdentityStoreId"], UserName=u, DisplayName=u, Name={"GivenName": u, "FamilyName": "X"})
        sso.create_permission_set(InstanceArn=inst["InstanceArn"], Name="Operator", SessionDuration="PT1H")
        store = Store.open(args.db or f"sqlite:///{tmp}/bench.db")
        cfg = AccessConfig(approvers=["approver"], max_duration="4h")
        granter = IdentityCenterGranter(lambda s, r: session.client(s, region_name=r))
        n = args.requests

        def request() -> list[str]:
            return [service.request_access(store.engine, cfg, NewRequest(users[i % len(users)], (ACCOUNT,), "Operator", "1h",
                    f"bench {i}", ticket=f"B-{i}"), now=T0 + timedelta(seconds=i)).id for i in range(n)]  # fmt: skip

        rids, w1, c1 = timed(request)
        _, w2, c2 = timed(lambda: [service.approve(store.engine, r, actor="approver", now=T0 + timedelta(seconds=n + i), granter=granter)
                                   for i, r in enumerate(rids)])  # fmt: skip
        ended, w3, c3 = timed(lambda: service.expire(store.engine, now=T0 + timedelta(hours=2), granter=granter))
        rep, w4, c4 = timed(lambda: audit.verify(store.engine))
        left = sso.list_account_assignments(InstanceArn=inst["InstanceArn"], AccountId=ACCOUNT,
                                            PermissionSetArn=granter.permission_set_arn("Operator"))["AccountAssignments"]  # fmt: skip
        out = {
            "requests": n, "users": len(users), "expired": len(ended), "assignments_left": len(left), "audit_ok": rep.ok,
            "audit_entries": rep.entries,
            "phases": {"request": [round(w1, 3), round(c1, 3)], "approve": [round(w2, 3), round(c2, 3)],
                       "expire": [round(w3, 3), round(c3, 3)], "verify": [round(w4, 3), round(c4, 3)]},
        }  # fmt: skip
        store.close()
    if args.json:
        print(json.dumps(out))
        return
    for k, (w, c) in out["phases"].items():  # type: ignore[attr-defined]
        print(f"{k:8} wall {w:7.2f} s  cpu {c:7.2f} s")
    print({k: v for k, v in out.items() if k != "phases"})


if __name__ == "__main__":
    main()
