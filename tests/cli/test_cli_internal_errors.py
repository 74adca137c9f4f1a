"""An exception mamori did not expect exits 3 with one line, never 1 and never a traceback (issue 12, item 12).

CI reads exit 1 as "the gate failed"; a bug must not look like a verdict. Every command in the
tree (walked through the lazy maps, so a new command is covered without editing this file) gets
a callback that raises, and ``mamori.cli.main.main`` must turn it into exit 3 with
``internal error: ...`` and the ``--debug`` hint; ``--debug`` prints the traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from mamori.cli import main as main_cli
from mamori.cli.lazy import LazyGroup


def _leaves(group: click.Group, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        if isinstance(cmd, click.Group):
            yield from _leaves(cmd, (*path, name))
        else:
            yield (*path, name), cmd


LEAVES = sorted(_leaves(main_cli.cli, ()), key=lambda item: item[0])


def test_the_walk_finds_every_top_level_command() -> None:
    assert isinstance(main_cli.cli, LazyGroup)
    assert {path[0] for path, _ in LEAVES} == set(main_cli.COMMANDS)
    assert len(LEAVES) > 40  # the whole tree, not only the top level


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main_cli.main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


def _boom(*_: Any, **__: Any) -> None:
    raise RuntimeError("unexpected state\nsecond line never shown")


@pytest.mark.parametrize(("path", "cmd"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_maps_an_unknown_exception_to_exit_3(
    path: tuple[str, ...],
    cmd: click.Command,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cmd, "params", [])  # no required argument stands between us and the callback
    monkeypatch.setattr(cmd, "callback", _boom)
    code, out, err = _run(list(path), capsys)
    assert code == 3, (path, out, err)
    assert "Traceback" not in out + err
    assert err.strip().splitlines() == [
        "internal error: RuntimeError: unexpected state (rerun with --debug for the traceback)"
    ]


def test_debug_prints_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cmd = main_cli.cli.get_command(click.Context(main_cli.cli), "rules")
    assert isinstance(cmd, click.Group)
    leaf = cmd.get_command(click.Context(cmd), "list")
    assert leaf is not None
    monkeypatch.setattr(leaf, "params", [])
    monkeypatch.setattr(leaf, "callback", _boom)
    code, _, err = _run(["--debug", "rules", "list"], capsys)
    assert code == 3
    assert "Traceback (most recent call last)" in err and "_boom" in err
    assert err.rstrip().endswith("internal error: RuntimeError: unexpected state")
    monkeypatch.setenv("MAMORI_DEBUG", "1")
    code, _, err = _run(["rules", "list"], capsys)
    assert code == 3 and "Traceback" in err


def test_a_service_that_raises_exits_3_not_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The realistic case: the dependency gate's service hits a bug; CI must not read it as "blocked"."""
    import mamori.gate.deps.service as service

    def broken(_: object) -> None:
        raise KeyError("advisory")

    monkeypatch.setattr(service, "run_gate", broken)
    (tmp_path / "requirements.txt").write_text("idna==3.7\n")
    code, _, err = _run(["gate", "deps", str(tmp_path), "--sample-data", "--no-record"], capsys)
    assert code == 3
    assert err.strip() == "internal error: KeyError: 'advisory' (rerun with --debug for the traceback)"


def test_mamori_errors_and_usage_keep_their_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["gate", "deps", "--no-such-option"], capsys)
    assert code == 2 and "internal error" not in err
    code, _, _ = _run(["--version"], capsys)
    assert code == 0
