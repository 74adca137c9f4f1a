"""Demo alternate contacts: prod has a security contact registered, dev has none."""

from __future__ import annotations

from mamori.demo.estate import SeedEnv, seeder


@seeder("account", order=5)
def seed_account(env: SeedEnv) -> None:
    env.client("account", "us-east-1").put_alternate_contact(
        AlternateContactType="SECURITY",
        Name="Acme Security Team",
        Title="Security on-call",
        EmailAddress="security@acme.example",
        PhoneNumber="+81-3-0000-0000",
    )
