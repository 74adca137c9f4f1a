"""Go modules: go.mod (the build list's requirements, with ``replace``), and go.sum without a go.mod.

go.mod from Go 1.17 on lists every module of the build, indirect ones included. A
``replace`` with a module version audits the replacement; one with a local path is
skipped. go.sum alone is read only when there is no go.mod beside it: it holds hashes of
every version ever fetched, so only the highest version of each module is audited.
"""

from __future__ import annotations

import re
from pathlib import Path

from mamori.gate.deps.model import Ecosystem, NoticeKind
from mamori.gate.deps.parsers.interface import Collector, Parser, ParseResult, check_text, fail, register
from mamori.gate.deps.versions import parse_version

_COMMENT = re.compile(r"//.*$")
_DIRECTIVES = (
    "module",
    "go",
    "toolchain",
    "require",
    "replace",
    "exclude",
    "retract",
    "godebug",
    "tool",
    "ignore",
)


def _go_version(v: str) -> str:
    """``1.22`` -> ``1.22.0``; ``1.21rc2`` stays (a pre-release)."""
    return f"{v}.0" if re.fullmatch(r"\d+\.\d+", v) else v


def _fields(line: str) -> list[str]:
    return [f.strip('"`') for f in line.split()]


class GoModParser(Parser):
    name = "go.mod"
    ecosystem = Ecosystem.GO

    def matches(self, path: Path) -> bool:
        return path.name == "go.mod"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        check_text(text, rel)
        col = Collector(Ecosystem.GO, rel)
        requires: list[tuple[str, str, int]] = []
        toolchain: dict[str, tuple[str, int]] = {}
        replaces: dict[tuple[str, str | None], tuple[list[str], int]] = {}
        block: str | None = None
        for i, raw in enumerate(text.splitlines(), 1):
            line = _COMMENT.sub("", raw).strip()
            if not line:
                continue
            if block:
                if line == ")":
                    block = None
                    continue
                self._directive(block, _fields(line), i, rel, requires, replaces)
                continue
            words = _fields(line)
            if words[0] not in _DIRECTIVES:
                fail(f"unknown directive {words[0]!r}", rel, str(i))
            if len(words) == 2 and words[1] == "(":
                block = words[0]
                continue
            if words[0] in ("go", "toolchain") and len(words) == 2:
                toolchain[words[0]] = (words[1], i)
                continue
            self._directive(words[0], words[1:], i, rel, requires, replaces)
        if block:
            fail(f"the {block} ( ... ) block is not closed", rel, str(len(text.splitlines())))
        for module, version, lineno in requires:
            target = replaces.get((module, version)) or replaces.get((module, None))
            if target is None:
                col.pinned(module, version, lineno)
            elif len(target[0]) == 1:
                col.skipped(f"{module} is replaced by the local path {target[0][0]}", target[1])
            else:
                col.pinned(target[0][0], target[0][1], target[1])
        self._stdlib(toolchain, col)
        return col.result()

    @staticmethod
    def _stdlib(toolchain: dict[str, tuple[str, int]], col: Collector) -> None:
        """The Go standard library (OSV: ecosystem Go, package ``stdlib``) at the toolchain's version.

        ``toolchain go1.22.4`` names the toolchain: audited as 1.22.4. Without it, ``go 1.22.1``
        is the minimum Go version: audited as that lowest bound (the build may use a newer
        toolchain; a notice says so); ``go 1.20`` (a language version) as 1.20.0.
        """
        if "toolchain" in toolchain and toolchain["toolchain"][0].startswith("go"):
            version, line = toolchain["toolchain"]
            col.pinned("stdlib", _go_version(version[2:]), line)
        elif "go" in toolchain:
            version, line = toolchain["go"]
            col.pinned("stdlib", _go_version(version), line)
            col.notice(NoticeKind.DATA, f"the Go standard library is audited at go {version}, the minimum this "
                                        "module needs: add a `toolchain` line to audit the toolchain you build with",
                       line)  # fmt: skip

    def _directive(
        self,
        verb: str,
        args: list[str],
        line: int,
        rel: str,
        requires: list[tuple[str, str, int]],
        replaces: dict[tuple[str, str | None], tuple[list[str], int]],
    ) -> None:
        if verb == "require":
            if len(args) < 2:
                fail("require needs a module path and a version", rel, str(line))
            requires.append((args[0], args[1], line))
        elif verb == "replace":
            if "=>" not in args:
                fail("replace needs '=>'", rel, str(line))
            at = args.index("=>")
            old, new = args[:at], args[at + 1 :]
            if not old or not new or len(old) > 2 or len(new) > 2:
                fail("malformed replace directive", rel, str(line))
            replaces[(old[0], old[1] if len(old) == 2 else None)] = (new, line)


class GoSumParser(Parser):
    name = "go.sum"
    ecosystem = Ecosystem.GO
    superseded_by = ("go.mod",)

    def matches(self, path: Path) -> bool:
        return path.name == "go.sum"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        check_text(text, rel)
        col = Collector(Ecosystem.GO, rel)
        best: dict[str, tuple[str, int]] = {}
        for i, raw in enumerate(text.splitlines(), 1):
            words = raw.split()
            if not words:
                continue
            if len(words) != 3 or not words[2].startswith("h1:"):
                fail("expected 'module version h1:hash'", rel, str(i))
            module, version = words[0], words[1]
            if version.endswith("/go.mod"):
                continue
            cur = best.get(module)
            pv = parse_version(Ecosystem.GO, version)
            pc = parse_version(Ecosystem.GO, cur[0]) if cur else None
            if cur is None or pc is None or (pv is not None and pv > pc):
                best[module] = (version, i)
        for module, (version, line) in sorted(best.items()):
            col.pinned(module, version, line)
        return col.result()


register(GoModParser)
register(GoSumParser)
