"""The import contracts in pyproject.toml hold, and they do fail when a cycle is introduced.

``make lint`` and ``make test`` run ``lint-imports`` on the tree; this test also proves the
contracts are not vacuous: the same check over a copy of the package with one back-edge
added (the store importing a subsystem) must fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-c", RUN, str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_contracts_hold_on_the_tree(tmp_path: Path) -> None:
    out = lint_imports(ROOT / "src", tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 kept, 0 broken" in out.stdout


def test_a_new_cycle_breaks_the_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "mamori", src / "mamori", ignore=shutil.ignore_patterns("__pycache__", "*.yaml", "*.json", "*.gz"))
    url = src / "mamori" / "store" / "url.py"
    url.write_text(url.read_text(encoding="utf-8") + "\nfrom mamori.hub import tables as _hub_tables  # noqa: E402,F401\n")
    out = lint_imports(src, tmp_path)
    assert out.returncode != 0
    assert "no import cycle between mamori's subpackages BROKEN" in out.stdout
    assert "BROKEN" in out.stdout.split("cli -> composition")[1].splitlines()[0]  # and the layers contract
