"""Small rule sets and inventories for the standards tests, and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mamori.model import Inventory, Resource
from mamori.rules import RuleSet, load_rules
from tests.clirun import Run, runner

PROD, DEV = "111122223333", "444455556666"
DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

RULES = {
    "t_volume_unencrypted": """
id: t_volume_unencrypted
title: Volumes are encrypted
severity: high
resource_type: aws.ec2.volume
rationale: Unencrypted volumes expose data to anyone with a snapshot.
remediation: Copy to an encrypted snapshot and restore from it.
controls: {baseline: ["4.1"], cis-aws-3.0: ["2.2.1"], fsbp: [EC2.3]}
fail_when: {path: encrypted, eq: false}
""",
    "t_bucket_public": """
id: t_bucket_public
title: Buckets are not public
severity: critical
resource_type: aws.s3.bucket
rationale: A public bucket lets anyone on the internet read its objects.
remediation: Turn on S3 Block Public Access for the bucket and the account.
controls: {baseline: ["2.5"], fsbp: [S3.1]}
fail_when: {path: policy_public, eq: true}
""",
    "t_user_shared": """
id: t_user_shared
title: IAM users are not shared
severity: medium
resource_type: aws.iam.user
rationale: A shared user hides who did what and cannot be revoked for one person.
remediation: Give every person their own identity through SSO and delete the shared user.
controls: {baseline: ["1.2"]}
fail_when: {path: console_access, eq: true}
""",
}


def write_rules(d: Path, names: Iterable[str] | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name in names or RULES:
        (d / f"{name}.yaml").write_text(RULES[name])
    return d


@pytest.fixture(scope="session")
def rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    return load_rules([write_rules(tmp_path_factory.mktemp("std-rules"))], builtin=False)


def estate(
    *, day: int = 0, volumes: dict[str, bool | None] | None = None, buckets: dict[str, bool] | None = None,
    users: dict[str, bool] | None = None, account: str = PROD, extra: Iterable[Resource] = (),
) -> Inventory:  # fmt: skip
    res = [Resource("aws", account, "us-east-1", "aws.ec2.volume", v, properties={"encrypted": e}) for v, e in (volumes or {}).items()]
    res += [Resource("aws", account, "us-east-1", "aws.s3.bucket", b, properties={"policy_public": p}) for b, p in (buckets or {}).items()]
    res += [Resource("aws", account, "global", "aws.iam.user", u, properties={"console_access": s}) for u, s in (users or {}).items()]
    inv = Inventory([*res, *extra], collected_at=DAY1 + timedelta(days=day))
    for acct in {r.account for r in inv} | {account}:
        inv.cover(acct, "us-east-1", ["aws.ec2.volume", "aws.s3.bucket"])
        inv.cover(acct, "global", ["aws.iam.user"])
    return inv




@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "240")

    return runner(capsys)
