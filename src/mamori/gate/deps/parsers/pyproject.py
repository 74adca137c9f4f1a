"""pyproject.toml: PEP 621 ``[project]`` dependencies and Poetry's ``[tool.poetry]`` dependencies.

A manifest, not a lockfile: it is read only when no Python lockfile (poetry.lock, uv.lock,
pylock.toml, Pipfile.lock, requirements.txt) sits beside it. Semantics are those of the
requirements file: an exact pin (``requests==2.31.0``; in Poetry a bare ``"2.31.0"``, which
Poetry reads as exactly that version) is audited; a range (``>=2.0``, ``^2.0``, ``~2.1``) is
UNPINNED -- it is never audited at a guessed version, its lowest bound included, because
the version installed is whatever the resolver picked. Sections read:
``project.dependencies``, ``project.optional-dependencies.*``,
``tool.poetry.dependencies``, ``tool.poetry.dev-dependencies`` and
``tool.poetry.group.*.dependencies``. ``python`` and git / path / url sources are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import (
    Collector,
    Parser,
    ParseResult,
    expect,
    fail,
    load_toml,
    register,
)
from mamori.gate.deps.parsers.requirements import pin_of

_POETRY_EXACT = re.compile(r"^(==)?\s*([0-9][0-9A-Za-z.+!-]*)$")


def _line_of(lines: list[str], name: str) -> int | None:
    pat = re.compile(rf"""(^|["'\s]){re.escape(name)}([\s"'=<>!~\[;@^]|$)""", re.IGNORECASE)
    return next((i for i, ln in enumerate(lines, 1) if pat.search(ln)), None)


class PyprojectParser(Parser):
    name = "pyproject.toml"
    ecosystem = Ecosystem.PYPI
    superseded_by = ("poetry.lock", "uv.lock", "pylock.toml", "Pipfile.lock", "requirements.txt")

    def matches(self, path: Path) -> bool:
        return path.name == "pyproject.toml"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        doc = load_toml(text, rel)
        lines = text.splitlines()
        col = Collector(Ecosystem.PYPI, rel)
        project = doc.get("project")
        if isinstance(project, dict):
            deps = expect(project.get("dependencies", []), list, rel, "project.dependencies", "a list")
            self._pep508(deps, "project.dependencies", rel, lines, col)
            opt = expect(project.get("optional-dependencies", {}), dict, rel, "project.optional-dependencies",
                         "a table")  # fmt: skip
            for extra, reqs in opt.items():
                where = f"project.optional-dependencies.{extra}"
                self._pep508(expect(reqs, list, rel, where, "a list"), where, rel, lines, col)
        poetry = (doc.get("tool") or {}).get("poetry") if isinstance(doc.get("tool"), dict) else None
        if isinstance(poetry, dict):
            tables: list[tuple[str, Any]] = [("tool.poetry.dependencies", poetry.get("dependencies")),
                                             ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"))]  # fmt: skip
            groups = poetry.get("group")
            if isinstance(groups, dict):
                tables += [(f"tool.poetry.group.{g}.dependencies", (t or {}).get("dependencies"))
                           for g, t in groups.items() if isinstance(t, dict)]  # fmt: skip
            for where, table in tables:
                if table is not None:
                    self._poetry(expect(table, dict, rel, where, "a table"), where, rel, lines, col)
        return col.result()

    def _pep508(self, reqs: list[Any], where: str, rel: str, lines: list[str], col: Collector) -> None:
        for i, item in enumerate(reqs):
            if not isinstance(item, str):
                fail("a dependency that is not a string", rel, f"{where}[{i}]")
            try:
                req = Requirement(item)
            except InvalidRequirement as exc:
                fail(f"invalid requirement {item!r}: {exc}", rel, f"{where}[{i}]")
            line = _line_of(lines, req.name)
            if req.url:
                col.skipped(f"{req.name} comes from {req.url}, not a registry release", line)
                continue
            pin = pin_of(req)
            if pin is not None:
                col.pinned(req.name, pin, line)
            else:
                col.unpinned(req.name, str(req.specifier), line)

    def _poetry(self, table: dict[str, Any], where: str, rel: str, lines: list[str], col: Collector) -> None:
        for name, spec in table.items():
            if name.lower() == "python":
                continue
            line = _line_of(lines, name)
            if isinstance(spec, list):  # multiple constraints (per python version / marker): not one pin
                col.unpinned(name, "(several constraints)", line)
                continue
            if isinstance(spec, dict):
                source = next((k for k in ("git", "path", "url") if k in spec), None)
                if source:
                    col.skipped(f"{name} comes from a {source} source, not a registry release", line)
                    continue
                spec = spec.get("version", "*")
            if not isinstance(spec, str):
                fail(f"{name}: a version that is not a string", rel, f"{where}.{name}")
            m = _POETRY_EXACT.match(spec.strip())
            if m:
                col.pinned(name, m.group(2), line)
            else:
                col.unpinned(name, spec.strip() or "*", line)


register(PyprojectParser)
