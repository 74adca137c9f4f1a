"""pip requirements files: ``requirements*.txt`` and ``requirements/*.txt``.

Pinned means ``name==version`` (or ``===``) without a wildcard; hashes (``--hash=``),
extras and environment markers are accepted and ignored for matching. ``-r FILE`` is
followed (relative to the including file, cycles ignored); ``-c FILE`` constraints pin
requirements the file leaves open. Includes must stay inside the scanned directory
(``mamori.gate.deps.confine``: no absolute paths, no ``..`` or symlink escapes, unless
allowed with ``--allow-include``), and nothing of an included file's text appears in a
message: an error in an included file names the file and line only. Editable installs, local paths and URLs cannot be
audited and are reported as skipped; any other range is reported UNPINNED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from mamori.gate.deps.confine import confine
from mamori.gate.deps.errors import LockfileError
from mamori.gate.deps.model import Ecosystem, Package, normalize_name
from mamori.gate.deps.parsers.interface import Collector, Parser, ParseResult, check_text, register

_NAME = re.compile(r"(^|.*[-_.])requirements([-_.].*)?\.txt$", re.IGNORECASE)
_COMMENT = re.compile(r"(^|\s+)#.*$")
_HASH = re.compile(r"\s--hash[=\s]\S+")
_IGNORED_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links", "--trusted-host",
    "--pre", "--no-binary", "--only-binary", "--prefer-binary", "--require-hashes", "--use-feature",
    "--config-settings", "--global-option", "--install-option",
)  # fmt: skip


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first physical line, text) with comments removed and ``\\`` continuations joined."""
    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for i, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw)
        if not buf:
            start = i
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append((start, buf.strip()))
        buf = ""
    if buf.strip():
        out.append((start, buf.strip()))
    return out


def _option_value(line: str, short: str, long: str) -> str | None:
    for opt in (long, short):
        if line.startswith(opt + "=") or line.startswith(opt + " "):
            return line[len(opt) + 1 :].strip()
        if (
            opt == short
            and line.startswith(short)
            and len(line) > len(short)
            and not line[len(short)].isspace()
        ):
            return line[len(short) :].strip()
    return None


def pin_of(req: Requirement) -> str | None:
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


@dataclass
class _State:
    root: Path
    visited: set[Path] = field(default_factory=set)
    constraints: dict[str, tuple[str, str, int]] = field(default_factory=dict)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class RequirementsParser(Parser):
    name = "requirements.txt"
    ecosystem = Ecosystem.PYPI

    def matches(self, path: Path) -> bool:
        return bool(_NAME.match(path.name)) or (path.suffix == ".txt" and path.parent.name == "requirements")

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        root = path.parent
        for _ in Path(rel).parent.parts:
            root = root.parent
        state = _State(root=root)
        col = Collector(Ecosystem.PYPI, rel)
        self._file(text, path, rel, state, col, constraint=False, included=False)
        # constraints pin what the requirements left open
        resolved: list[Package] = []
        for p in col.packages:
            pin = state.constraints.get(normalize_name(Ecosystem.PYPI, p.name))
            if p.version is None and pin is not None:
                version, src, line = pin
                resolved.append(Package(Ecosystem.PYPI, p.name, version, src, line))
            else:
                resolved.append(p)
        return ParseResult(tuple(resolved), tuple(col.notices))

    def _file(
        self,
        text: str,
        path: Path,
        rel: str,
        state: _State,
        col: Collector,
        *,
        constraint: bool,
        included: bool,
    ) -> None:
        check_text(text, rel)
        state.visited.add(path.resolve())
        for lineno, line in logical_lines(text):
            inc = _option_value(line, "-r", "--requirement")
            con = _option_value(line, "-c", "--constraint")
            if inc is not None or con is not None:
                value = inc if inc is not None else con or ""
                target = confine(
                    value, path.parent, state.root, source=rel, where=str(lineno), show=not included
                )
                if target in state.visited:
                    continue
                try:
                    sub = target.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                    raise LockfileError(
                        f"cannot read an included file: {reason}", source=rel, where=str(lineno)
                    ) from None
                sub_col = Collector(Ecosystem.PYPI, _rel(target, state.root))
                self._file(
                    sub,
                    target,
                    sub_col.rel,
                    state,
                    sub_col,
                    constraint=constraint or con is not None,
                    included=True,
                )
                col.packages.extend(sub_col.packages)
                col.notices.extend(sub_col.notices)
                continue
            if line.startswith(("-e", "--editable")):
                shown = f" {line.split(None, 1)[-1]!r}" if not included else ""
                col.skipped(f"editable requirement{shown} is not audited", lineno)
                continue
            if line.startswith("-"):
                if line.split("=", 1)[0].split(None, 1)[0] in _IGNORED_OPTIONS:
                    continue
                shown = f" {line.split()[0]!r}" if not included else ""
                raise LockfileError(f"unknown option{shown}", source=rel, where=str(lineno))
            self._requirement(
                _HASH.sub("", " " + line).strip(),
                lineno,
                rel,
                state,
                col,
                constraint=constraint,
                included=included,
            )

    def _requirement(
        self,
        line: str,
        lineno: int,
        rel: str,
        state: _State,
        col: Collector,
        *,
        constraint: bool,
        included: bool,
    ) -> None:
        if line.startswith((".", "/", "file:")) or ("://" in line.split(";", 1)[0] and " @ " not in line):
            shown = f"{line.split(';', 1)[0].strip()!r}" if not included else "an entry"
            col.skipped(f"{shown} is a path or URL, not a registry release", lineno)
            return
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            # the text of an included file is never echoed: it may be any file the include named
            detail = f" {line!r}: {exc}" if not included else " (text not shown: it is in an included file)"
            raise LockfileError(f"invalid requirement{detail}", source=rel, where=str(lineno)) from None
        if req.url:
            col.skipped(f"{req.name} comes from {req.url}, not a registry release", lineno)
            return
        pin = pin_of(req)
        if constraint:
            if pin is not None:
                state.constraints.setdefault(normalize_name(Ecosystem.PYPI, req.name), (pin, rel, lineno))
            return
        if pin is not None:
            col.pinned(req.name, pin, lineno)
        else:
            col.unpinned(req.name, str(req.specifier), lineno)


register(RequirementsParser)
