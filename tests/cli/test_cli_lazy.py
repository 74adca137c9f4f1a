"""The CLI loads a subcommand's module only when it runs (issue 11, item 7).

`mamori --help` lists commands from the lazy map without importing them, so the map's help
line must equal each command's own; the pre-commit secrets gate must not import the store,
the migrations or the AWS SDK.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from mamori.cli import gate as gate_cli
from mamori.cli import main as main_cli
from mamori.cli.lazy import Lazy

HEAVY = ("sqlalchemy", "alembic", "boto3", "botocore", "s3transfer", "moto", "duckdb", "rich", "httpx", "pydantic", "yaml",
         "fastapi", "starlette", "uvicorn", "jinja2", "argon2", "authlib", "celery", "kombu", "redis")
GROUPS = [("mamori", main_cli.COMMANDS), ("mamori gate", gate_cli.COMMANDS)]


@pytest.mark.parametrize(("group", "name", "lazy"), [(g, n, lz) for g, m in GROUPS for n, lz in m.items()])
def test_the_map_help_is_the_command_help(group: str, name: str, lazy: Lazy) -> None:
    cmd = lazy.load()
    assert cmd.name == name, f"{group} {name} loads a command named {cmd.name}"
    stub = click.Command(name, help=lazy.short_help)
    for limit in (30, 45, 60, 74, 80, 10_000):  # click shortens the line to the terminal width
        assert stub.get_short_help_str(limit) == cmd.get_short_help_str(limit), f"{group} {name}, width {limit}"
    assert lazy.short_help == cmd.get_short_help_str(10_000), f"{group} {name}: keep the whole first sentence"
    assert not cmd.hidden and not cmd.deprecated


def _in_clean_interpreter(code: str, cwd: Path) -> dict[str, object]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(proc.stderr.strip().splitlines()[-1])
    return result


_PROBE = """
import json, sys
from mamori.cli.main import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
mods = sorted(sys.modules)
print(json.dumps({{"code": code, "modules": mods}}), file=sys.stderr)
"""


def _heavy(modules: object) -> list[str]:
    assert isinstance(modules, list)
    return sorted({m.split(".")[0] for m in modules if m.split(".")[0] in HEAVY})


def test_help_imports_no_subcommand(tmp_path: Path) -> None:
    got = _in_clean_interpreter(_PROBE.format(argv=["--help"]), tmp_path)
    assert got["code"] == 0
    mods = got["modules"]
    assert isinstance(mods, list)
    cli_mods = sorted(m for m in mods if m.startswith("mamori.cli."))
    assert cli_mods == ["mamori.cli.exits", "mamori.cli.lazy", "mamori.cli.main"]
    assert _heavy(mods) == []
    assert not [m for m in mods if m.startswith(("mamori.store", "mamori.config", "mamori.collect"))]


def test_the_staged_secrets_gate_imports_no_store_and_no_aws_sdk(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=env)
    (tmp_path / "app.py").write_text("REGION = 'eu-west-1'\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "app.py"], check=True, env=env)
    got = _in_clean_interpreter(_PROBE.format(argv=["gate", "secrets", "--staged"]), tmp_path)
    assert got["code"] == 0, "one clean staged file: the gate passes"
    mods = got["modules"]
    assert isinstance(mods, list)
    assert "mamori.gate.secrets.api" in mods, "the probe did run the gate"
    assert _heavy(mods) == []
    assert not [m for m in mods if m.startswith(("mamori.store", "mamori.config", "mamori.collect", "mamori.hub"))]


def test_a_subcommand_module_is_imported_with_the_collector_paused_and_it_is_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    (tmp_path / "mamori_lazy_probe.py").write_text(
        "import click, gc\nCOLLECTING = gc.isenabled()\n\n@click.command()\ndef probe() -> None:\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            sys.modules.pop("mamori_lazy_probe", None)
            assert Lazy("mamori_lazy_probe:probe", "probe").load().name == "probe"
            assert sys.modules["mamori_lazy_probe"].COLLECTING is False
            assert gc.isenabled() is enabled
    finally:
        sys.modules.pop("mamori_lazy_probe", None)
        (gc.enable if was else gc.disable)()
