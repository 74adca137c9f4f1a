"""Every lockfile parser on a real-shaped sample, and malformed files named with their place."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.gate.deps.discover import collect, find_files
from mamori.gate.deps.errors import LockfileError
from mamori.gate.deps.model import Ecosystem, NoticeKind, Package
from mamori.gate.deps.parsers import PARSERS
from mamori.gate.deps.parsers.pnpm_lock import split_key
from mamori.gate.deps.parsers.yarn_lock import real_name, split_descriptor

FIXTURES = Path(__file__).parent / "fixtures"


def parse(parser: str, path: Path, rel: str | None = None) -> tuple[list[Package], list[str]]:
    result = PARSERS.get(parser).parse(path.read_text(), rel or path.name, path)
    return list(result.packages), [str(n) for n in result.notices]


def pins(packages: list[Package]) -> set[tuple[str, str | None]]:
    return {(p.name, p.version) for p in packages}


def test_every_parser_is_registered() -> None:
    assert set(PARSERS) == {
        "Cargo.lock", "Pipfile.lock", "cyclonedx", "go.mod", "go.sum", "package-lock.json", "package.json",
        "pnpm-lock.yaml", "poetry.lock", "pom.xml", "pylock.toml", "pyproject.toml", "requirements.txt", "uv.lock",
        "yarn.lock",
    }  # fmt: skip


# -- Python ---------------------------------------------------------------------------


def test_requirements_pins_includes_constraints_hashes_and_unpinned() -> None:
    pkgs, notices = parse("requirements.txt", FIXTURES / "python/requirements.txt", "python/requirements.txt")
    by_name = {p.name: p for p in pkgs}
    assert by_name["requests"].version == "2.19.0"  # extras and multi-line hashes
    assert by_name["requests"].line == 6
    assert by_name["PyYAML"].version == "5.3.1"  # marker ignored for matching
    assert by_name["numpy"].version == "1.26.4"  # ===
    assert (
        by_name["urllib3"].version == "1.26.5" and by_name["urllib3"].source == "python/requirements-base.txt"
    )
    assert by_name["flask"].version is None and by_name["flask"].spec == ">=2.0"
    # unpinned in the file, pinned by -c constraints.txt
    assert by_name["Jinja2"].version == "3.1.2" and by_name["Jinja2"].source == "python/constraints.txt"
    assert any("editable" in n for n in notices)
    assert any("git+https://github.com/example/tool.git" in n for n in notices)


def test_requirements_missing_include_and_bad_line_are_named(tmp_path: Path) -> None:
    f = tmp_path / "requirements.txt"
    f.write_text("requests==2.31.0\n-r nope.txt\n")
    with pytest.raises(LockfileError) as err:
        parse("requirements.txt", f)
    assert str(err.value) == "requirements.txt:2: included file 'nope.txt' does not exist"
    f.write_text("requests==2.31.0\n\nthis is not (a requirement\n")
    with pytest.raises(LockfileError, match=r"requirements.txt:3: invalid requirement"):
        parse("requirements.txt", f)


def test_requirements_include_cycle_is_harmless(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r requirements-dev.txt\nidna==3.4\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest==8.0.0\n")
    pkgs, _ = parse("requirements.txt", tmp_path / "requirements.txt")
    assert pins(pkgs) == {("idna", "3.4"), ("pytest", "8.0.0")}


def test_poetry_lock() -> None:
    pkgs, notices = parse("poetry.lock", FIXTURES / "python/poetry.lock")
    assert pins(pkgs) == {("certifi", "2024.2.2"), ("requests", "2.28.1")}
    assert [p.line for p in pkgs] == [3, 13]
    assert any("mylib comes from a directory source" in n for n in notices)


def test_uv_lock_skips_the_project_and_git() -> None:
    pkgs, notices = parse("uv.lock", FIXTURES / "python/uv.lock")
    assert pins(pkgs) == {("pyyaml", "5.3.1")}
    assert any("toolkit comes from git" in n for n in notices)


def test_pipfile_lock() -> None:
    pkgs, notices = parse("Pipfile.lock", FIXTURES / "python/Pipfile.lock")
    assert pins(pkgs) == {("urllib3", "2.0.4"), ("pyyaml", "6.0.1")}
    assert {p.line for p in pkgs} == {19, 33}
    assert any("vendored" in n for n in notices)


def test_pylock_toml() -> None:
    pkgs, notices = parse("pylock.toml", FIXTURES / "python/pylock.toml")
    assert pins(pkgs) == {("requests", "2.31.0"), ("urllib3", "1.26.5")}
    assert any("local-plugin" in n for n in notices)


@pytest.mark.parametrize(
    ("parser", "name", "text", "where"),
    [
        ("poetry.lock", "poetry.lock", '[[package]]\nname = "x"\nversion = 1.0\n', "poetry.lock:1:"),
        ("uv.lock", "uv.lock", "version = 1\n[[package]\n", "uv.lock:2:"),
        ("Pipfile.lock", "Pipfile.lock", '{"default": {"a": {"version": "==1"},}}', "Pipfile.lock:1:"),
        ("pylock.toml", "pylock.toml", '[[packages]]\nname = "x"\n', "pylock.toml:1"),
        (
            "Cargo.lock",
            "Cargo.lock",
            '[[package]]\nname = "serde"\nversion = "1"\nsource = \n',
            "Cargo.lock:4:",
        ),
        (
            "package-lock.json",
            "package-lock.json",
            '{\n  "lockfileVersion": 3,\n  "packages": {\n    "x": ]\n}',
            "package-lock.json:4:",
        ),
        (
            "yarn.lock",
            "yarn.lock",
            '# yarn lockfile v1\n\nlodash@^4:\n  version "4.17.21"\nnot a header\n',
            "yarn.lock:5",
        ),
        ("yarn.lock", "yarn.lock", '__metadata:\n  version: 8\n"a@npm:1": [\n', "yarn.lock:"),
        (
            "pnpm-lock.yaml",
            "pnpm-lock.yaml",
            "lockfileVersion: '6.0'\npackages:\n  /a@1.0.0: {\n",
            "pnpm-lock.yaml:",
        ),
        ("pom.xml", "pom.xml", "<project>\n  <dependencies>\n  </dependency>\n</project>\n", "pom.xml:3:"),
        ("go.mod", "go.mod", "module x\n\nrequire (\n\tgolang.org/x/text\n)\n", "go.mod:4"),
        ("go.mod", "go.mod", "module x\nfrobnicate y\n", "go.mod:2"),
        ("go.sum", "go.sum", "golang.org/x/text v0.3.7 nothash\n", "go.sum:1"),
        ("cyclonedx", "bom.json", '{"bomFormat": "SPDX"}', "bom.json:$.bomFormat"),
    ],
)
def test_malformed_files_name_the_file_and_place(
    parser: str, name: str, text: str, where: str, tmp_path: Path
) -> None:
    f = tmp_path / name
    f.write_text(text)
    with pytest.raises(LockfileError) as err:
        parse(parser, f)
    assert str(err.value).startswith(where), str(err.value)


# -- npm ------------------------------------------------------------------------------


def test_package_lock_v3() -> None:
    pkgs, notices = parse("package-lock.json", FIXTURES / "npm/v3/package-lock.json")
    assert pins(pkgs) == {("@babel/code-frame", "7.22.13"), ("lodash", "4.17.20"), ("minimist", "1.2.5"),
                          ("string-width", "4.2.3")}  # fmt: skip
    lodash = next(p for p in pkgs if p.name == "lodash")
    assert lodash.line == 23 and lodash.ecosystem is Ecosystem.NPM
    assert any("private-tool comes from git+ssh" in n for n in notices)


def test_package_lock_v1_nested() -> None:
    pkgs, notices = parse("package-lock.json", FIXTURES / "npm/v1/package-lock.json")
    assert pins(pkgs) == {("lodash", "4.17.15"), ("mkdirp", "0.5.5"), ("minimist", "1.2.5")}
    assert notices == []  # file: dependencies are the project's own


def test_yarn_classic() -> None:
    pkgs, notices = parse("yarn.lock", FIXTURES / "npm/yarn1/yarn.lock")
    assert pins(pkgs) == {("@babel/code-frame", "7.22.13"), ("lodash", "4.17.20"), ("string-width", "4.2.3"),
                          ("minimist", "1.2.5")}  # fmt: skip
    assert next(p for p in pkgs if p.name == "lodash").line == 13
    assert any("private-tool" in n for n in notices)


def test_yarn_berry() -> None:
    pkgs, notices = parse("yarn.lock", FIXTURES / "npm/berry/yarn.lock")
    assert pins(pkgs) == {("lodash", "4.17.20"), ("@types/node", "20.11.5"), ("resolve", "1.22.8")}
    assert next(p for p in pkgs if p.name == "lodash").line == 8
    assert notices == []


def test_yarn_descriptors() -> None:
    assert split_descriptor('"@scope/pkg@^1.0.0"') == ("@scope/pkg", "^1.0.0")
    assert real_name("string-width-cjs@npm:string-width@^4.2.0") == "string-width"
    assert real_name("@alias/x@npm:@scope/real@1") == "@scope/real"


@pytest.mark.parametrize(
    ("key", "version", "expected"),
    [
        ("/lodash/4.17.20", 5.4, ("lodash", "4.17.20")),
        ("/@babel/core/7.20.0_supports-color@5.5.0", 5.4, ("@babel/core", "7.20.0")),
        ("/lodash@4.17.20", 6.0, ("lodash", "4.17.20")),
        ("/@babel/core@7.20.0(supports-color@5.5.0)", 6.0, ("@babel/core", "7.20.0")),
        ("@babel/core@7.20.0", 9.0, ("@babel/core", "7.20.0")),
    ],
)
def test_pnpm_keys(key: str, version: float, expected: tuple[str, str]) -> None:
    assert split_key(key, version) == expected


@pytest.mark.parametrize("flavour", ["pnpm5", "pnpm6", "pnpm9"])
def test_pnpm_lock(flavour: str) -> None:
    pkgs, notices = parse("pnpm-lock.yaml", FIXTURES / f"npm/{flavour}/pnpm-lock.yaml")
    expected = {"pnpm5": {("lodash", "4.17.20"), ("@babel/core", "7.20.0")},
                "pnpm6": {("lodash", "4.17.20"), ("@babel/core", "7.20.0")},
                "pnpm9": {("minimist", "1.2.5"), ("@babel/core", "7.20.0")}}  # fmt: skip
    assert pins(pkgs) == expected[flavour]
    assert all(p.line for p in pkgs)
    if flavour == "pnpm6":
        assert any("tool comes from https://codeload.github.com" in n for n in notices)


def test_package_json_without_lockfile_reports_ranges_unpinned() -> None:
    pkgs, notices = parse("package.json", FIXTURES / "npm/manifest/package.json")
    by_name = {p.name: p for p in pkgs}
    assert by_name["minimist"].version == "1.2.5"
    assert by_name["lodash"].version is None and by_name["lodash"].spec == "^1.2.0"
    assert by_name["express"].spec == "~4.18.2" and by_name["jest"].spec == "*"
    assert "ui" not in by_name and "tool" not in by_name
    assert any("transitive" in n for n in notices)


def test_package_json_is_skipped_when_a_lockfile_is_beside_it(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"lodash": "^4.17.0"}}')
    (tmp_path / "package-lock.json").write_text((FIXTURES / "npm/v1/package-lock.json").read_text())
    assert [p.name for p, _ in find_files(tmp_path)] == ["package-lock.json"]


# -- Maven, Go, Rust, CycloneDX ---------------------------------------------------------


def test_pom_properties_management_ranges_and_notices() -> None:
    pkgs, notices = parse("pom.xml", FIXTURES / "maven/pom.xml")
    by_name = {p.name: p for p in pkgs}
    assert by_name["com.fasterxml.jackson.core:jackson-databind"].version == "2.1.0"
    assert by_name["com.fasterxml.jackson.core:jackson-databind"].line == 40  # its <dependency>
    assert by_name["org.apache.logging.log4j:log4j-core"].version == "2.14.1"  # dependencyManagement
    assert by_name["org.apache.logging.log4j:log4j-api"].version == "2.14.1"  # nested property
    assert by_name["com.example:shared-model"].version == "1.7.0-SNAPSHOT"  # ${project.version}
    assert (
        by_name["org.yaml:snakeyaml"].version is None and by_name["org.yaml:snakeyaml"].spec == "[1.26,2.0)"
    )
    assert by_name["junit:junit"].version == "4.13.2"
    assert "org.springframework.boot:spring-boot-dependencies" not in by_name  # a BOM import
    assert any("spring-boot-starter-web has no version here" in n for n in notices)
    assert any("${platform.version}" in n for n in notices)


def test_pom_refuses_doctype(tmp_path: Path) -> None:
    f = tmp_path / "pom.xml"
    f.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<project>&lol;</project>\n')
    with pytest.raises(LockfileError, match="DOCTYPE"):
        parse("pom.xml", f)


def test_go_mod_requires_and_replaces() -> None:
    pkgs, notices = parse("go.mod", FIXTURES / "go/go.mod")
    assert pins(pkgs) == {("github.com/gin-gonic/gin", "v1.9.1"), ("golang.org/x/text", "v0.3.7"),
                          ("github.com/pkg/errors", "v0.9.0"), ("stdlib", "1.21.5")}  # fmt: skip
    assert next(p for p in pkgs if p.name == "golang.org/x/text").line == 9
    assert any("replaced by the local path ../internal" in n for n in notices)


def test_go_sum_only_without_go_mod() -> None:
    found = [path.relative_to(FIXTURES / "go").as_posix() for path, _ in find_files(FIXTURES / "go")]
    assert found == ["go.mod", "sumonly/go.sum"]  # go/go.sum is superseded by go/go.mod
    pkgs, _ = parse("go.sum", FIXTURES / "go/sumonly/go.sum")
    assert pins(pkgs) == {("github.com/gin-gonic/gin", "v1.9.1"), ("golang.org/x/text", "v0.3.7")}


def test_cargo_lock() -> None:
    pkgs, notices = parse("Cargo.lock", FIXTURES / "rust/Cargo.lock")
    assert pins(pkgs) == {("serde", "1.0.195"), ("smallvec", "1.6.0")}
    assert next(p for p in pkgs if p.name == "smallvec").line == 19
    assert any("forked comes from git+https://github.com/example/forked" in n for n in notices)


def test_cyclonedx_sbom_by_purl() -> None:
    pkgs, notices = parse("cyclonedx", FIXTURES / "sbom/bom.cdx.json")
    got = {(p.ecosystem, p.name, p.version) for p in pkgs}
    assert got == {
        (Ecosystem.MAVEN, "com.fasterxml.jackson.core:jackson-databind", "2.9.10.8"),
        (Ecosystem.MAVEN, "org.apache.logging.log4j:log4j-core", "2.17.1"),
        (Ecosystem.NPM, "lodash", "4.17.15"),  # nested component
        (Ecosystem.NPM, "@babel/core", "7.20.0"),
        (Ecosystem.GO, "golang.org/x/text", "v0.3.7"),
        (Ecosystem.PYPI, "pyyaml", "5.3.1"),
        (Ecosystem.CRATES, "smallvec", "0.6.10"),
    }
    assert any("1 component(s) without a purl" in n for n in notices)
    assert any("type pkg:deb" in n for n in notices)


def test_collect_walks_a_tree_and_keeps_going_after_a_bad_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {')
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "package.json").write_text("{}")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Cargo.lock").write_text((FIXTURES / "rust/Cargo.lock").read_text())
    c = collect(tmp_path)
    assert c.files == ("requirements.txt", "svc/Cargo.lock", "web/package-lock.json")
    assert {p.name for p in c.packages} == {"requests", "serde", "smallvec"}
    assert len(c.errors) == 1 and str(c.errors[0]).startswith("web/package-lock.json:1:")
    assert any(n.kind is NoticeKind.SKIPPED for n in c.notices)


def test_a_single_file_path_and_sniffed_sbom(tmp_path: Path) -> None:
    sbom = tmp_path / "export.json"
    sbom.write_text((FIXTURES / "sbom/bom.cdx.json").read_text())
    c = collect(sbom)
    assert c.files == ("export.json",) and len(c.packages) == 7
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(LockfileError, match="no parser reads this file"):
        collect(other)
