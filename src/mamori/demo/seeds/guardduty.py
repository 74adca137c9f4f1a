"""GuardDuty: enabled in prod's ap-northeast-1 only; dev has a suspended detector in us-east-1."""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder


@seeder("guardduty")
def seed_guardduty(env: SeedEnv) -> None:
    env.client("guardduty", "ap-northeast-1").create_detector(
        Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES", Tags={"owner": "security"}
    )
    env.client("guardduty", "us-east-1", account="dev").create_detector(
        Enable=False, FindingPublishingFrequency="SIX_HOURS"
    )
