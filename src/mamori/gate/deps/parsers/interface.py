"""The lockfile-parser interface and its registry.

A parser turns one file into packages (pinned, or UNPINNED with the range it gives) and
notices (what it skipped and why). It raises ``LockfileError`` naming the file and the
place (line, or line:column, or a path inside the document) when the file is malformed.

Parsers register themselves in ``PARSERS`` when their module is imported;
``mamori.gate.deps.parsers`` imports every built-in one.
"""

from __future__ import annotations

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


#: a lockfile larger than this is refused (the largest real ones are a few MiB)
MAX_LOCKFILE_BYTES = 32 * 1024 * 1024
#: lockfiles are shallow (package-lock v1 nests one level per dependency level)
MAX_LOCKFILE_DEPTH = 100


def load_json(text: str, rel: str) -> Any:
    """Bounded JSON (``mamori.safeload``): size, depth, NUL, NaN; errors are ``LockfileError``."""
    from mamori.safeload import load_json as safe_json

    return safe_json(
        text, source=rel, max_bytes=MAX_LOCKFILE_BYTES, max_depth=MAX_LOCKFILE_DEPTH, error=LockfileError
    )


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(text: str, rel: str) -> dict[str, Any]:
    if len(text) > MAX_LOCKFILE_BYTES:
        raise LockfileError(f"too large: {len(text):,} characters (the limit is {MAX_LOCKFILE_BYTES:,})",
                            source=rel)  # fmt: skip
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_AT.search(msg)
        where = f"{m.group(1)}:{m.group(2)}" if m else None
        raise LockfileError(
            f"not valid TOML: {_TOML_AT.sub('', msg).strip()}", source=rel, where=where
        ) from None
    except RecursionError:  # tomllib recurses on nested arrays and inline tables
        raise LockfileError("not valid TOML: nested too deeply", source=rel) from None


def load_yaml(text: str, rel: str) -> Any:
    """Bounded YAML (``mamori.safeload``): aliases, expansion, depth, dates; errors are ``LockfileError``."""
    from mamori.safeload import load_yaml as safe_yaml

    return safe_yaml(
        text, source=rel, max_bytes=MAX_LOCKFILE_BYTES, max_depth=MAX_LOCKFILE_DEPTH, error=LockfileError
    )


def check_text(text: str, rel: str) -> None:
    """For the line formats (requirements, go.mod, go.sum, yarn.lock v1): size cap and no NUL."""
    if len(text) > MAX_LOCKFILE_BYTES:
        raise LockfileError(f"too large: {len(text):,} characters (the limit is {MAX_LOCKFILE_BYTES:,})",
                            source=rel)  # fmt: skip
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise LockfileError(
            "contains a NUL character", source=rel, where=f"{line}:{nul - text.rfind(chr(10), 0, nul)}"
        )


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
