"""Demo EFS: a tidy shared file system in prod, a forgotten one in dev.

* ``acme-shared-uploads`` (prod, ap-northeast-1): encrypted, automatic backups on;
  passes efs_file_system_unencrypted and efs_file_system_backup_off. Its access points:
  ``billing-api`` (root ``/billing-api``, POSIX user 1001:1001) passes both access point
  rules; ``batch-legacy`` (root ``/``, no POSIX user) fails both.
* ``dev-scratch`` (dev, us-east-1): unencrypted, no backups: fails both file system rules.
"""

from __future__ import annotations

from typing import Any

from mamori.demo.estate import SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def _tags(name: str, **extra: str) -> list[dict[str, str]]:
    return [{"Key": "Name", "Value": name}, *({"Key": k, "Value": v} for k, v in extra.items())]


@seeder("efs", order=50)
def seed_efs(env: SeedEnv) -> None:
    efs = env.client("efs", TOKYO)
    shared: dict[str, Any] = efs.create_file_system(
        CreationToken="acme-shared-uploads", Encrypted=True, Backup=True, PerformanceMode="generalPurpose",  # mamori:allow an EFS idempotency token, not a credential
        Tags=_tags("acme-shared-uploads", owner="billing"),
    )  # fmt: skip
    fs = shared["FileSystemId"]
    efs.create_access_point(
        FileSystemId=fs, PosixUser={"Uid": 1001, "Gid": 1001},
        RootDirectory={"Path": "/billing-api", "CreationInfo": {"OwnerUid": 1001, "OwnerGid": 1001, "Permissions": "750"}},
        Tags=_tags("billing-api", owner="billing"),
    )  # fmt: skip
    efs.create_access_point(FileSystemId=fs, Tags=_tags("batch-legacy", owner="data"))

    env.client("efs", VIRGINIA, account="dev").create_file_system(
        CreationToken="dev-scratch", Encrypted=False, Tags=_tags("dev-scratch", owner="dev-team")
    )
