"""The bounded loaders: hostile YAML/JSON gives InputError with a place, never another exception or a hang."""

from __future__ import annotations

import itertools
import time
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori import safeload
from mamori.errors import ConfigError, InputError, RuleError
from mamori.safeload import compose_yaml, load_json, load_json_lines, load_yaml

# A billion-laughs document of the size reported in issue 12 (575 bytes): 10 levels of 9 aliases.
_LEVELS = "abcdefghij"
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{x}: &{x} [{','.join('*' + p for _ in range(9))}]\n" for p, x in itertools.pairwise(_LEVELS)
)
ALIAS_BOMB += "#" * (575 - len(ALIAS_BOMB) - 1) + "\n"

YAML_ALPHABET = st.sampled_from(
    [*"ab01 :-,[]{}&*!|>'\"#\n\t?%@`\\.~", "\x00", "\xff", "é", "\ud800", "2026-02-30"]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8", blacklist_characters="\x00")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(codec="utf-8", blacklist_characters="\x00"), max_size=8), inner, max_size=4
        )
    ),
    max_leaves=30,
)


def _err(fn: Any, data: str | bytes, **kw: Any) -> InputError:
    with pytest.raises(InputError) as exc:
        fn(data, source="f", **kw)
    assert exc.value.source == "f"
    return exc.value


@pytest.fixture(params=["libyaml", "python"])
def yaml_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every YAML test runs on both the C loader and the pure-Python one."""
    if request.param == "python":
        monkeypatch.setattr(safeload, "_Loader", safeload._PyLoader)
    return str(request.param)


def test_the_575_byte_alias_bomb_is_refused_within_a_second(yaml_backend: str) -> None:
    assert len(ALIAS_BOMB.encode()) == 575
    t0 = time.perf_counter()
    e = _err(load_yaml, ALIAS_BOMB)
    assert time.perf_counter() - t0 < 1.0
    assert "alias bomb" in e.message and e.where  # the line:column of the node that blows up


def test_alias_count_is_capped(yaml_backend: str) -> None:
    doc = "a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n"
    e = _err(load_yaml, doc)
    assert "more than 100 aliases" in e.message and e.where == f"2:{len('b: [' + '*a, ' * 100) + 1}"
    assert load_yaml(doc, source="f", max_aliases=200)["b"][0] == "x"


def test_a_few_aliases_and_merge_keys_still_load(yaml_backend: str) -> None:
    doc = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n"
    assert load_yaml(doc, source="f") == {
        "base": {"x": 1, "y": 2},
        "use": {"x": 1, "y": 3},
        "list": [{"x": 1, "y": 2}] * 2,
    }


def test_recursive_alias_is_refused(yaml_backend: str) -> None:
    assert "own ancestor" in _err(load_yaml, "a: &a [1, *a]\n").message


@pytest.mark.parametrize("depth", [101, 500, 100_000])
def test_deep_nesting_is_refused_without_recursion(yaml_backend: str, depth: int) -> None:
    e = _err(load_yaml, "[" * depth + "]" * depth)
    # ours at level 101, or libyaml's own limit (1000) when its scanner reads that far ahead
    assert (e.message, e.where) == ("nested deeper than 100 levels", "1:101") or "nesting depth" in e.message
    assert load_yaml("[" * 100 + "]" * 100, source="f") is not None


def test_duplicate_keys_are_refused_where_asked(yaml_backend: str) -> None:
    e = _err(load_yaml, "a: 1\nb: 2\na: 3\n")
    assert e.message == "duplicate key 'a'" and e.where == "3:1"
    assert load_yaml("a: 1\na: 3\n", source="f", unique_keys=False) == {"a": 3}


@pytest.mark.parametrize(
    ("doc", "where", "text"),
    [
        (b"a: 1\nb: \xff\n", "2:4", "not UTF-8 text (byte 0xff)"),
        ("a: 1\nb: x\x00y\n", "2:5", "contains a NUL character"),
        ("when: 2026-02-30\n", "1:7", "not a valid timestamp: '2026-02-30'"),
        ("when: 2026-01-01T00:00:00+99:00\n", "1:7", "not a valid timestamp"),
        ("a: [1, 2\n", "2:1", "invalid YAML"),
        ("x: !!python/object/apply:os.system [id]\n", "1:4", "could not determine a constructor"),
    ],
)
def test_bad_yaml_names_file_and_line(yaml_backend: str, doc: str | bytes, where: str, text: str) -> None:
    e = _err(load_yaml, doc)
    assert e.where == where and text in e.message


def test_size_cap() -> None:
    assert "too large" in _err(load_yaml, "a: 1\n" * 10, max_bytes=20).message
    assert "too large" in _err(load_json, b"[" + b"1," * 20 + b"1]", max_bytes=20).message


def test_a_utf8_bom_and_an_empty_document_are_fine() -> None:
    assert load_yaml("\ufeffa: 1\n".encode(), source="f") == {"a": 1}
    assert load_yaml("", source="f") is None
    assert load_yaml("# only a comment\n", source="f") is None


@pytest.mark.parametrize(
    ("doc", "where", "text"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "1:1026", "depth limit"),
        (b"[" * 101 + b"]" * 101, "[0]" * 100, "nested deeper than 100"),
        (b'{"x": NaN}', "1:7", "invalid JSON"),
        (b'{"x": 1e400}', "1:7", "invalid JSON"),
        (b'{"x": [1, "a\\u0000b"]}', "x[1]", "NUL character"),
        (b'{"x": "\xff"}', "1:8", "not UTF-8"),
        (b'{"x": 1,\n "y": }', "2:7", "invalid JSON"),
    ],
)
def test_bad_json_names_file_and_place(doc: bytes, where: str | None, text: str) -> None:
    e = _err(load_json, doc)
    assert e.where == where and text in e.message


def test_json_duplicate_keys_where_asked() -> None:
    assert load_json(b'{"a": 1, "a": 2}', source="f") == {"a": 2}
    assert _err(load_json, b'{"x": {"a": 1, "a": 2}}', unique_keys=True).message == "duplicate key 'a'"


def test_json_lines_name_the_line() -> None:
    assert load_json_lines(b'{"a": 1}\n\n[2]\n', source="f") == [{"a": 1}, [2]]
    e = _err(load_json_lines, b'{"a": 1}\n{"a": }\n')
    assert e.where == "2:7"


@given(st.binary(max_size=300))
def test_any_bytes_give_a_value_or_input_error(data: bytes) -> None:
    for fn in (load_yaml, load_json, load_json_lines):
        try:
            fn(data, source="f")
        except InputError as exc:
            assert exc.source == "f"


@given(st.lists(YAML_ALPHABET, max_size=80).map("".join))
def test_yaml_like_text_gives_a_value_or_input_error(text: str) -> None:
    try:
        load_yaml(text, source="f", max_aliases=5, max_nodes=500)
    except InputError as exc:
        assert exc.source == "f"


@given(JSON)
def test_json_values_round_trip(value: Any) -> None:
    assert load_json(orjson.dumps(value), source="f", unique_keys=True) == orjson.loads(orjson.dumps(value))


def test_compose_yaml_gives_checked_nodes_for_line_maps(yaml_backend: str) -> None:
    node, construct = compose_yaml("a: 1\nb: [x, y]\n", source="f")
    assert node is not None and [k.start_mark.line for k, _ in node.value] == [0, 1]
    assert construct(node) == {"a": 1, "b": ["x", "y"]}
    assert compose_yaml("", source="f")[0] is None
    assert "alias bomb" in _err(compose_yaml, ALIAS_BOMB).message
    node, construct = compose_yaml("when: 2026-02-30\n", source="f")
    assert node is not None
    with pytest.raises(InputError, match="not a valid timestamp"):
        construct(node)


def test_errors_come_as_the_callers_subclass() -> None:
    with pytest.raises(ConfigError) as exc:
        load_yaml("a: 1\na: 2\n", source="mamori.yaml", error=ConfigError)
    assert (exc.value.source, exc.value.where) == ("mamori.yaml", "2:1")
    with pytest.raises(RuleError, match="invalid YAML"):
        load_yaml("a: [", source="r.yaml", error=RuleError)
    with pytest.raises(ConfigError, match="duplicate key"):
        load_json(b'{"a": 1, "a": 2}', source="x.json", unique_keys=True, error=ConfigError)
    with pytest.raises(ConfigError, match="invalid JSON"):
        load_json_lines(b"{}\n{\n", source="x.jsonl", error=ConfigError)
