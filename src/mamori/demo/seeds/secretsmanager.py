"""Demo secrets: rotated, never rotated, forgotten.

prod, ap-northeast-1: ``prod/billing-api/db`` rotates every 30 days (compliant). prod,
us-east-1: ``prod/stripe/api-key`` was created 200 days ago, never rotated and never read
since (fails all three secret rules). dev, us-east-1: ``dev/app/db`` is new, not rotating.

moto cannot create a secret in the past, so the seeder sets the creation date in moto's
in-process backend (as :mod:`mamori.demo.emulator` does for IAM); mamori still reads it
through ``ListSecrets``. Against an emulator in another process the date stays "now".
"""

from __future__ import annotations

import time
from typing import Any

from mamori.demo.estate import DEMO_ACCOUNTS, SeedEnv, seeder

TOKYO, VIRGINIA = "ap-northeast-1", "us-east-1"


def backdate_secret(account: str, region: str, name: str, days: int) -> bool:
    """Make a secret (and its last change) ``days`` old in moto's in-process backend."""
    try:
        from moto.secretsmanager.models import secretsmanager_backends
    except ImportError:  # pragma: no cover - moto is a dependency
        return False
    secret: Any = secretsmanager_backends[account][region].secrets.get(name)
    if secret is None:
        return False
    then = int(time.time()) - days * 86400
    secret.created_date = then
    secret.last_changed_date = then
    return True


@seeder("secretsmanager", order=30)
def seed_secretsmanager(env: SeedEnv) -> None:
    tokyo = env.client("secretsmanager", TOKYO)
    tokyo.create_secret(Name="prod/billing-api/db", SecretString='{"username": "billing", "password": "demo-only"}')  # mamori:allow emulator-only value
    tokyo.rotate_secret(SecretId="prod/billing-api/db", RotationRules={"AutomaticallyAfterDays": 30})

    east = env.client("secretsmanager", VIRGINIA)
    east.create_secret(Name="prod/stripe/api-key", SecretString="sk_demo_only", Tags=[{"Key": "team", "Value": "payments"}])  # mamori:allow emulator-only value
    backdate_secret(DEMO_ACCOUNTS["prod"], VIRGINIA, "prod/stripe/api-key", days=200)

    env.client("secretsmanager", VIRGINIA, account="dev").create_secret(Name="dev/app/db", SecretString="demo-only")  # mamori:allow emulator-only value
