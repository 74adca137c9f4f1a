"""Fixtures for the events tests: detections, a CLI runner, moto with a trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.events import DetectionSet, load_detections
from tests.clirun import Run, runner


@pytest.fixture(scope="session")
def detections() -> DetectionSet:
    return load_detections()




@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")

    return runner(capsys)


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
