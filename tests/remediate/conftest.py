"""Helpers for remediation tests: moto in-process, clients with call counters, findings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from mamori.collect.aws.session import AwsTarget
from mamori.config.guardrails import GuardrailsConfig
from mamori.findings import Store
from mamori.model.finding import Finding, FindingStatus, Severity
from mamori.remediate.clients import Clients
from tests.clirun import runner

ACCOUNT = "123456789012"
REGIONS = ("ap-northeast-1", "eu-west-1", "us-east-1")


@dataclass
class Aws:
    session: boto3.Session
    _clients: Clients | None = field(default=None)

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self.session.client(service, region_name=region)

    @property
    def clients(self) -> Clients:
        """mamori's clients (created on first use: call ``tests.awsutil.deny`` before)."""
        if self._clients is None:
            self._clients = Clients.from_targets([AwsTarget(regions=REGIONS, home_region="us-east-1")], [lambda: self.session])
        return self._clients

    def fresh_clients(self) -> Clients:
        self._clients = None
        return self.clients


def reset_moto() -> None:
    """Empty moto's backends. ``mock_aws()`` only resets when it is the outermost mock, and a
    session-scoped fixture elsewhere may keep one active for the whole run."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


@pytest.fixture
def aws() -> Iterator[Aws]:
    with mock_aws():
        reset_moto()
        try:
            yield Aws(boto3.Session(region_name="us-east-1"))
        finally:
            reset_moto()


@pytest.fixture
def sqlite_store(tmp_path: Any) -> Iterator[Store]:
    """A SQLite store, for tests about AWS behaviour (the store paths also run on PostgreSQL elsewhere)."""
    s = Store.open(f"sqlite:///{tmp_path}/mamori.db")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(autouse=True)
def _fast_credential_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.collect.aws.services.iam import IamCollector

    monkeypatch.setattr(IamCollector, "report_first_poll", 0.01)


@pytest.fixture
def cfg() -> GuardrailsConfig:
    return GuardrailsConfig(verify_delay_seconds=0)


def finding(rule: str, rtype: str, rid: str, region: str, *, account: str = ACCOUNT, arn: str = "") -> Finding:
    now = datetime.now(UTC)
    from mamori.model.finding import finding_id

    return Finding(
        id=finding_id(rule, account, region, rtype, rid), rule_id=rule, title=rule, severity=Severity.HIGH,
        status=FindingStatus.NEW, resource_type=rtype, resource_id=rid, resource_arn=arn, account=account,
        region=region, evidence={}, first_seen=now, last_seen=now,
    )  # fmt: skip


def public_bucket(aws: Aws, name: str, region: str) -> None:
    s3 = aws.client("s3", region)
    kw: dict[str, Any] = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **kw)


def pab(aws: Aws, name: str, region: str) -> dict[str, bool] | None:
    try:
        return dict(aws.client("s3", region).get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"])
    except ClientError:
        return None




@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """Run the CLI in-process in a temporary directory: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("MAMORI_ACTOR", "tester")

    return runner(capsys)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto's server in this process (a thread), shared by a module's tests; reset per test."""
    from mamori.demo.estate import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture
def server(moto_endpoint: str) -> Iterator[Aws]:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(moto_endpoint + "/moto-api/reset", method="POST"), timeout=10)
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    try:
        yield ServerAws(session, endpoint=moto_endpoint)
    finally:
        reset_moto()  # the server thread shares this process's backends


@dataclass
class ServerAws(Aws):
    endpoint: str = ""

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self.session.client(service, region_name=region, endpoint_url=self.endpoint)
