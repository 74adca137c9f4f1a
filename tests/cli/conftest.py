"""Run the CLI in-process: exit code, stdout and stderr."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import Run, runner


@pytest.fixture
def mamori(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")

    return runner(capsys)
