"""A click group that imports a subcommand's module only when that subcommand runs.

`mamori --help` lists every command with its one-line help without importing any of them:
the line is kept in the group's map (a test compares it with each command's real help, so the
two cannot drift). `mamori gate secrets --staged` imports the gate's module and nothing else.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import click

freeze_after_import = False
"""Set by the `mamori` program (:func:`mamori.cli.main.run`), not by tests calling the CLI in
process: what a subcommand imported lives as long as the process, so it is moved out of the
cyclic collector's sight and no later collection walks it again (a demo scan: ~0.4 s less CPU)."""


@dataclass(frozen=True)
class Lazy:
    """Where a subcommand lives ("package.module:attr") and its one-line help."""

    target: str
    short_help: str

    def load(self) -> click.Command:
        module_name, _, attr = self.target.partition(":")
        with _collector_paused():
            module = importlib.import_module(module_name)
        if freeze_after_import:
            gc.freeze()
        cmd = getattr(module, attr)
        if not isinstance(cmd, click.Command):  # pragma: no cover - a wrong map entry
            raise TypeError(f"{self.target} is not a click command")
        return cmd


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a subcommand's modules are imported.

    Importing them builds tens of thousands of objects that live as long as the process
    (pydantic models, SQLAlchemy tables, botocore, rules): the collector would walk them again
    and again while they are being built, and free nothing. An import is bounded work, so the
    collector is simply paused for it (about 0.08 s of the events replay's start-up) and
    restored as it was.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class LazyGroup(click.Group):
    """A group whose subcommands are named in a map and imported on first use."""

    def __init__(self, *args: object, lazy: Mapping[str, Lazy] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy: dict[str, Lazy] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but a command not imported yet shows the help line kept in the map."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                cmd = self.commands[name]
                if cmd.hidden:
                    continue
            else:
                # click's own shortening, applied to the line kept in the map
                cmd = click.Command(name, help=self.lazy[name].short_help)
            rows.append((name, cmd))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])
