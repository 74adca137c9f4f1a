"""The Go standard library from go.mod's go/toolchain lines; pyproject.toml dependencies."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.errors import InputError
from mamori.gate.deps.assess import assess
from mamori.gate.deps.discover import collect
from mamori.gate.deps.model import Ecosystem, NoticeKind
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.parsers.go_mod import GoModParser
from mamori.gate.deps.parsers.pyproject import PyprojectParser

REAL = Path(__file__).parent / "fixtures" / "osv-real"


def _go(text: str):  # type: ignore[no-untyped-def]
    return GoModParser().parse(text, "go.mod", Path("go.mod"))


def test_toolchain_line_is_the_stdlib_version() -> None:
    r = _go("module x\n\ngo 1.21\n\ntoolchain go1.21.5\n")
    (p,) = r.packages
    assert (p.ecosystem, p.name, p.version, p.line) == (Ecosystem.GO, "stdlib", "1.21.5", 5)
    assert not r.notices


def test_go_line_alone_is_the_lowest_bound_with_a_notice() -> None:
    r = _go("module x\ngo 1.22.1\n")
    assert [(p.name, p.version) for p in r.packages] == [("stdlib", "1.22.1")]
    assert r.notices[0].kind is NoticeKind.DATA and "minimum" in r.notices[0].message
    assert [p.version for p in _go("module x\ngo 1.20\n").packages] == ["1.20.0"]
    assert _go("module x\n").packages == ()


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> LocalOsvSource:
    return LocalOsvSource(REAL, cache=tmp_path_factory.mktemp("idx"))


@pytest.mark.parametrize(("toolchain", "hit", "upgrade"), [
    ("go1.21.5", True, "1.21.9"), ("go1.22.0", True, "1.22.2"), ("go1.21.9", False, None), ("go1.22.2", False, None),
])  # fmt: skip
def test_stdlib_matches_real_go_advisory(real: LocalOsvSource, toolchain: str, hit: bool, upgrade: str | None) -> None:
    (item,), _ = assess(list(_go(f"module x\ngo 1.21\ntoolchain {toolchain}\n").packages), real)
    assert bool(item.vulns) is hit and item.upgrade_to == upgrade
    if hit:
        assert item.vulns[0].id == "GO-2024-2687" or "GO-2024-2687" in item.vulns[0].aliases


PYPROJECT = """\
[project]
name = "app"
dependencies = [
  "requests==2.19.0",
  "flask>=2",
  "pkg @ https://example.com/pkg.whl",
]
[project.optional-dependencies]
crypto = ["cryptography==40.0.0"]

[tool.poetry.dependencies]
python = "^3.11"
waitress = "2.1.0"
django = "^4.2"
mylib = { git = "https://github.com/x/mylib" }
pinned = { version = "==1.2.3" }

[tool.poetry.group.dev.dependencies]
pytest = "~8.0"
"""


def test_pyproject_pins_audited_ranges_unpinned() -> None:
    r = PyprojectParser().parse(PYPROJECT, "pyproject.toml", Path("pyproject.toml"))
    got = {(p.name, p.version, p.spec) for p in r.packages}
    assert ("requests", "2.19.0", None) in got and ("cryptography", "40.0.0", None) in got
    assert ("waitress", "2.1.0", None) in got and ("pinned", "1.2.3", None) in got
    assert ("flask", None, ">=2") in got and ("django", None, "^4.2") in got and ("pytest", None, "~8.0") in got
    assert {p.name for p in r.packages}.isdisjoint({"python", "mylib", "pkg"})
    assert len([n for n in r.notices if n.kind is NoticeKind.SKIPPED]) == 2
    req = next(p for p in r.packages if p.name == "requests")
    assert req.line == 4


def test_pyproject_is_superseded_by_a_lockfile(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert "pyproject.toml" in collect(tmp_path).files
    (tmp_path / "poetry.lock").write_text("")
    assert "pyproject.toml" not in collect(tmp_path).files


def test_pyproject_errors_name_the_place() -> None:
    with pytest.raises(InputError) as err:
        PyprojectParser().parse('[project]\ndependencies = ["requests==="]\n', "pyproject.toml", Path("p"))
    assert "pyproject.toml:project.dependencies[0]" in str(err.value)
    with pytest.raises(InputError):
        PyprojectParser().parse("[project]\ndependencies = 3\n", "pyproject.toml", Path("p"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_pyproject_parser_never_crashes(text: str) -> None:
    with contextlib.suppress(InputError):
        PyprojectParser().parse(text, "pyproject.toml", Path("p"))
