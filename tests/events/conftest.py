"""Fixtures for the events tests: detections, a CLI runner, moto with a trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.cli.main import main
from mamori.events import DetectionSet, load_detections


@pytest.fixture(scope="session")
def detections() -> DetectionSet:
    return load_detections()


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        cap = capsys.readouterr()
        return Run(code, cap.out, cap.err)

    return run


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """In-process moto with a logging trail ``org-trail`` in us-east-1."""
    with mock_aws():
        sess = boto3.Session(region_name="us-east-1")
        sess.client("s3").create_bucket(Bucket="trail-logs")
        ct = sess.client("cloudtrail")
        ct.create_trail(Name="org-trail", S3BucketName="trail-logs")
        ct.start_logging(Name="org-trail")
        yield sess


def is_logging(sess: boto3.Session, trail: str = "org-trail") -> Any:
    return sess.client("cloudtrail").get_trail_status(Name=trail)["IsLogging"]
