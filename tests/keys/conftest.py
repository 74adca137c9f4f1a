"""Fixtures shared with the remediation tests (moto in-process and server, the CLI runner)."""

from tests.remediate.conftest import (  # noqa: F401
    _fast_credential_report,
    aws,
    cfg,
    mamori,
    moto_endpoint,
    server,
    sqlite_store,
)
