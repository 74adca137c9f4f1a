"""Seeders of the demo estate: one module per service, each registered in ``SEEDERS``.

A seeder is ``seed(env: SeedEnv) -> None``. For every rule of its service it creates at
least one compliant and one non-compliant resource, through boto3 against the emulator.
"""
