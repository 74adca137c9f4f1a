"""Fixtures shared with the remediation tests (moto in-process and server, the CLI runner)."""

from tests.remediate.conftest import aws, cfg, mamori, moto_endpoint, server  # noqa: F401
