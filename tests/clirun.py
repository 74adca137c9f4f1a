"""Run mamori's CLI in-process: exit code, stdout and stderr (shared by the CLI test fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from mamori.cli.main import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def runner(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``run(*args)`` calls the entry point as the shell would and returns what it did."""

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
