"""Demo organization: prod is the management account; dev was created on its own, outside it."""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder


@seeder("organizations", order=5)
def seed_organizations(env: SeedEnv) -> None:
    env.client("organizations", "us-east-1").create_organization(FeatureSet="ALL")
