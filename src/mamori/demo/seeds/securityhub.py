"""Security Hub: enabled in prod's ap-northeast-1 only (off everywhere else, dev included)."""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder


@seeder("securityhub")
def seed_securityhub(env: SeedEnv) -> None:
    env.client("securityhub", "ap-northeast-1").enable_security_hub(
        EnableDefaultStandards=True, Tags={"owner": "security"}
    )
