"""The lockfile-parser interface and its registry.

A parser turns one file into packages (pinned, or UNPINNED with the range it gives) and
notices (what it skipped and why). It raises ``LockfileError`` naming the file and the
place (line, or line:column, or a path inside the document) when the file is malformed.

Parsers register themselves in ``PARSERS`` when their module is imported;
``mamori.gate.deps.parsers`` imports every built-in one.
"""

from __future__ import annotations

import json
import re
import tomllib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from mamori.gate.deps.errors import LockfileError
from mamori.gate.deps.model import Ecosystem, Notice, NoticeKind, Package
from mamori.registry import Registry


@dataclass(frozen=True)
class ParseResult:
    packages: tuple[Package, ...] = ()
    notices: tuple[Notice, ...] = ()


class Parser(ABC):
    """One lockfile or manifest format."""

    name: str = ""
    ecosystem: Ecosystem | None = None
    #: sibling file names that make this (manifest) file redundant, e.g. package.json beside package-lock.json
    superseded_by: tuple[str, ...] = ()

    @abstractmethod
    def matches(self, path: Path) -> bool:
        """Whether this parser reads ``path`` (by name; content sniffing only where a name cannot tell)."""

    @abstractmethod
    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        """Packages and notices of one file; ``rel`` is how outputs name it."""


PARSERS: Registry[Parser] = Registry("lockfile parser")


def register(cls: type[Parser]) -> type[Parser]:
    PARSERS.add(cls.name, cls())
    return cls


# -- helpers shared by the parsers ---------------------------------------------------


class Collector:
    """Accumulates packages and notices for one file."""

    def __init__(self, ecosystem: Ecosystem, rel: str) -> None:
        self.ecosystem = ecosystem
        self.rel = rel
        self.packages: list[Package] = []
        self.notices: list[Notice] = []

    def pinned(
        self, name: str, version: str, line: int | None = None, ecosystem: Ecosystem | None = None
    ) -> None:
        self.packages.append(Package(ecosystem or self.ecosystem, name, version, self.rel, line))

    def unpinned(
        self, name: str, spec: str, line: int | None = None, ecosystem: Ecosystem | None = None
    ) -> None:
        eco = ecosystem or self.ecosystem
        self.packages.append(Package(eco, name, None, self.rel, line, spec=spec or "(any version)"))

    def skipped(self, message: str, line: int | None = None) -> None:
        self.notices.append(Notice(NoticeKind.SKIPPED, message, self.rel, line))

    def notice(self, kind: NoticeKind, message: str, line: int | None = None) -> None:
        self.notices.append(Notice(kind, message, self.rel, line))

    def result(self) -> ParseResult:
        return ParseResult(tuple(self.packages), tuple(self.notices))


def load_json(text: str, rel: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileError(
            f"not valid JSON: {exc.msg}", source=rel, where=f"{exc.lineno}:{exc.colno}"
        ) from None


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(text: str, rel: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_AT.search(msg)
        where = f"{m.group(1)}:{m.group(2)}" if m else None
        raise LockfileError(
            f"not valid TOML: {_TOML_AT.sub('', msg).strip()}", source=rel, where=where
        ) from None


def load_yaml(text: str, rel: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # a safe loader (C-accelerated when available)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else None
        raise LockfileError(f"not valid YAML: {exc.problem}", source=rel, where=where) from None
    except yaml.YAMLError as exc:
        raise LockfileError(f"not valid YAML: {exc}", source=rel) from None


def fail(message: str, rel: str, where: str | None) -> NoReturn:
    raise LockfileError(message, source=rel, where=where)


def expect(value: Any, kind: type | tuple[type, ...], rel: str, where: str, what: str) -> Any:
    """``value`` when it is of ``kind``, else a LockfileError naming the place in the document."""
    if not isinstance(value, kind):
        raise LockfileError(f"{what} has an unexpected shape", source=rel, where=where)
    return value


def header_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of the lines that are exactly ``header`` (e.g. ``[[package]]``)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def key_lines(text: str, pattern: re.Pattern[str]) -> dict[str, int]:
    """First line of each key that ``pattern`` (one group) finds, scanning line by line once."""
    out: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        m = pattern.match(line)
        if m and m.group(1) not in out:
            out[m.group(1)] = i
    return out
