"""The 14 lockfile parsers on hostile input: packages, or a LockfileError naming the file (issue 12, item 11).

Property tests (profiles in tests/conftest.py; `make fuzz` for the long run) feed every parser
arbitrary text, byte-level mutations of its real sample, and (for the JSON/YAML/TOML formats)
structural mutations: a value replaced by a random one. The reproductions from the issue are
regression tests below.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.gate.deps.discover import collect
from mamori.gate.deps.errors import LockfileError
from mamori.gate.deps.parsers import PARSERS
from mamori.gate.deps.parsers.interface import ParseResult

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES: dict[str, Path] = {
    "Cargo.lock": FIXTURES / "rust/Cargo.lock",
    "Pipfile.lock": FIXTURES / "python/Pipfile.lock",
    "cyclonedx": FIXTURES / "sbom/bom.cdx.json",
    "go.mod": FIXTURES / "go/go.mod",
    "go.sum": FIXTURES / "go/go.sum",
    "package-lock.json": FIXTURES / "npm/v3/package-lock.json",
    "package.json": FIXTURES / "npm/manifest/package.json",
    "pnpm-lock.yaml": FIXTURES / "npm/pnpm9/pnpm-lock.yaml",
    "poetry.lock": FIXTURES / "python/poetry.lock",
    "pom.xml": FIXTURES / "maven/pom.xml",
    "pylock.toml": FIXTURES / "python/pylock.toml",
    "pyproject.toml": FIXTURES / "pyproject/pyproject.toml",
    "requirements.txt": FIXTURES / "python/requirements-base.txt",
    "uv.lock": FIXTURES / "python/uv.lock",
    "yarn.lock": FIXTURES / "npm/yarn1/yarn.lock",
}
TEXTS = {name: path.read_text() for name, path in SAMPLES.items()}
JSON_FORMATS = ("Pipfile.lock", "cyclonedx", "package-lock.json", "package.json")


def test_every_parser_has_a_sample() -> None:
    assert set(SAMPLES) == set(PARSERS)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def _parse(name: str, text: str, workdir: Path) -> ParseResult | LockfileError:
    path = workdir / name  # requirements includes resolve against this directory
    try:
        result = PARSERS.get(name).parse(text, name, path)
    except LockfileError as exc:
        assert exc.source == name
        return exc
    assert isinstance(result, ParseResult)
    return result


# -- generated cases ---------------------------------------------------------------------

_names = st.sampled_from(sorted(SAMPLES))


@given(name=_names, text=st.text(max_size=400))
def test_any_text_gives_packages_or_a_lockfile_error(name: str, text: str, workdir: Path) -> None:
    _parse(name, text, workdir)


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(_names)
    text = TEXTS[name]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        text = text[:i] + draw(st.text(max_size=12)) + text[j:]
    return name, text


@given(case=_mutated())
def test_mutated_samples_give_packages_or_a_lockfile_error(case: tuple[str, str], workdir: Path) -> None:
    _parse(*case, workdir)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@given(name=st.sampled_from(JSON_FORMATS), data=st.data())
def test_structurally_mutated_json_gives_packages_or_a_lockfile_error(
    name: str, data: st.DataObject, workdir: Path
) -> None:
    doc = json.loads(TEXTS[name])
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        value = data.draw(_json_values)
        if not path:
            doc = value
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    _parse(name, json.dumps(doc), workdir)


# -- reproductions -------------------------------------------------------------------------


def _error(name: str, text: str, workdir: Path) -> LockfileError:
    result = _parse(name, text, workdir)
    assert isinstance(result, LockfileError), f"{name} accepted {text[:60]!r}"
    return result


def test_package_lock_packages_as_a_list_is_an_error_not_zero_packages(workdir: Path) -> None:
    err = _error("package-lock.json", '{"lockfileVersion": 3, "packages": [1, 2]}', workdir)
    assert err.where == "$.packages"


def test_package_lock_dependencies_as_a_list_is_an_error(workdir: Path) -> None:
    err = _error("package-lock.json", '{"lockfileVersion": 1, "dependencies": [1, 2]}', workdir)
    assert err.where == "$.dependencies"


def test_yarn_lock_with_an_unterminated_quote_is_an_error(workdir: Path) -> None:
    text = '# yarn lockfile v1\n\n"lodash@^4.17.0:\n  version "4.17.21"\n  resolved "https://r/-/lodash-4.17.21.tgz"\n'
    err = _error("yarn.lock", text, workdir)
    assert err.where == "3"


def test_deeply_nested_package_lock_v1_is_an_error(workdir: Path) -> None:
    text = '{"lockfileVersion": 1, "dependencies": ' + '{"a": {"version": "1.0.0", "dependencies": ' * 500
    text += "{}" + "}}" * 500 + "}"
    assert "nested deeper" in _error("package-lock.json", text, workdir).message


def test_deeply_nested_toml_is_an_error(workdir: Path) -> None:
    text = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    for name in ("Cargo.lock", "poetry.lock", "uv.lock", "pylock.toml", "pyproject.toml"):
        _error(name, text, workdir)


def test_pnpm_lock_alias_bomb_is_refused(workdir: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    assert "alias" in _error("pnpm-lock.yaml", bomb, workdir).message


def test_pnpm_lock_impossible_date_is_an_error(workdir: Path) -> None:
    err = _error("pnpm-lock.yaml", "lockfileVersion: '9.0'\nwhen: 2026-02-30\n", workdir)
    assert "timestamp" in err.message


@pytest.mark.parametrize("name", ["requirements.txt", "go.mod", "yarn.lock", "go.sum"])
def test_nul_in_a_line_format_is_an_error(name: str, workdir: Path) -> None:
    assert "NUL" in _error(name, TEXTS[name] + "\nfoo\x00bar==1.0\n", workdir).message


def test_nul_in_an_include_path_is_an_error(workdir: Path) -> None:
    _error("requirements.txt", "-r base\x00.txt\n", workdir)


def test_a_gate_that_cannot_read_a_lockfile_does_not_pass(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": [1, 2]}')
    c = collect(tmp_path)
    assert [str(e) for e in c.errors] == ["package-lock.json:$.packages: packages has an unexpected shape"]


def test_non_utf8_lockfile_is_an_error_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"idna==3.7\nreq\xffuests==2.0\n")
    c = collect(tmp_path)
    assert len(c.errors) == 1 and "requirements.txt" in str(c.errors[0])


# -- mamori-policy.yaml -----------------------------------------------------------------------

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_policy_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """The reproduction: a 575-byte mamori-policy.yaml reached 5 GB within 60 s."""
    import time

    from mamori.gate.deps.errors import PolicyError
    from mamori.gate.deps.policy import load_policy

    assert len(BILLION_LAUGHS) < 600
    (tmp_path / "mamori-policy.yaml").write_text(BILLION_LAUGHS)
    start = time.monotonic()
    with pytest.raises(PolicyError) as err:
        load_policy(tmp_path / "mamori-policy.yaml")
    assert time.monotonic() - start < 2
    assert "alias bomb" in str(err.value)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"team: a\nteam: b\n", "duplicate key 'team'"),
        (b"team: \xff\n", "not UTF-8"),
        (b"team: a\x00\n", "NUL"),
        (b"fix_by:\n  medium: 2026-02-30\n", "timestamp"),
        (b"x: " + b"[" * 500 + b"]" * 500 + b"\n", "nested deeper"),
        (b"? [a]\n: b\n", "scalar"),
    ],
)
def test_policy_bad_yaml_is_a_policy_error(tmp_path: Path, raw: bytes, words: str) -> None:
    from mamori.gate.deps.errors import PolicyError
    from mamori.gate.deps.policy import load_policy

    (tmp_path / "p.yaml").write_bytes(raw)
    with pytest.raises(PolicyError) as err:
        load_policy(tmp_path / "p.yaml")
    assert words in str(err.value)


@given(text=st.text(max_size=300))
def test_any_policy_text_gives_a_policy_or_a_policy_error(text: str) -> None:
    from mamori.gate.deps.errors import PolicyError
    from mamori.gate.deps.policy import parse_policy

    with contextlib.suppress(PolicyError):
        parse_policy(text, "p.yaml")
