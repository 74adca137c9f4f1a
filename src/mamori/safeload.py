"""Bounded YAML and JSON loading for input mamori does not control.

mamori reads files an attacker may have written: configs and lockfiles in a scanned
repository, imported findings, rule files from a pull request. Every such read goes
through :func:`load_yaml` or :func:`load_json`, which either return plain data (dicts,
lists, scalars) or raise :class:`mamori.errors.InputError` naming the file and the
place (``line:column`` or a JSON path). They never raise anything else, never recurse
on the input's nesting, and refuse, before any expansion:

* more than ``max_bytes`` of input;
* bytes that are not UTF-8, and NUL characters;
* nesting deeper than ``max_depth`` (checked on the parser's event stream, iteratively);
* YAML alias bombs: more than ``max_aliases`` aliases, an expansion of more than
  ``max_nodes`` nodes, or an alias that refers to its own ancestor;
* duplicate mapping keys: YAML by default (``unique_keys=False`` allows them); JSON when
  ``unique_keys=True`` is asked (it costs a second parse, about as long as the first);
* JSON ``NaN`` / ``Infinity`` and numbers out of range; impossible YAML dates.

PyYAML's C loader (libyaml) is used when it is installed, with the same checks.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import orjson
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mamori.errors import InputError

__all__ = [
    "MAX_ALIASES", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "compose_yaml", "load_json", "load_json_lines", "load_yaml",
]  # fmt: skip

MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 100
MAX_ALIASES = 100
MAX_NODES = 1_000_000


class _BadValue(yaml.constructor.ConstructorError):
    pass


def _timestamp(loader: yaml.constructor.SafeConstructor, node: Node) -> Any:
    """PyYAML's timestamp constructor, with impossible dates as a YAML error (it raises ValueError)."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, OverflowError) as exc:
        raise _BadValue(
            None, None, f"not a valid timestamp: {node.value!r} ({exc})", node.start_mark
        ) from None


def _safe_loader(base: Any) -> Any:
    """A subclass of a safe loader whose timestamps cannot raise ValueError."""
    loader: Any = type(f"Bounded{base.__name__}", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    return loader


_PyLoader = _safe_loader(yaml.SafeLoader)
_Loader = (
    _safe_loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else _PyLoader
)  # libyaml when installed


def _where(line: int, column: int) -> str:
    return f"{line + 1}:{column + 1}"


def _mark(mark: Any) -> str | None:
    return _where(mark.line, mark.column) if mark is not None else None


def _position(text: str | bytes, offset: int) -> str:
    """``line:column`` (1-based) of a character or byte offset."""
    nl = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(nl, 0, offset)  # type: ignore[arg-type]
    start = text.rfind(nl, 0, offset) + 1  # type: ignore[arg-type]
    return _where(line, offset - start)


def _text(data: str | bytes, source: str, max_bytes: int) -> str:
    """Checked text: within the size cap, UTF-8 (a BOM is allowed), no NUL."""
    if len(data) > max_bytes:
        raise InputError(f"too large: {len(data):,} bytes (the limit is {max_bytes:,})", source=source)
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                source=source,
                where=_position(data, exc.start),
            ) from None
    else:
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                "not UTF-8 text (a lone surrogate)", source=source, where=_position(text, exc.start)
            ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError("contains a NUL character", source=source, where=_position(text, nul))
    return text


# --------------------------------------------------------------------------- YAML


def _check_events(text: str, source: str, max_depth: int, max_aliases: int) -> None:
    """Depth and alias count from the event stream (the parser is iterative; nothing is built)."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise InputError(
                    f"nested deeper than {max_depth} levels", source=source, where=_mark(event.start_mark)
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                raise InputError(
                    f"more than {max_aliases} aliases (*name): refused as a possible alias bomb",
                    source=source, where=_mark(event.start_mark),
                )  # fmt: skip


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_nodes(root: Node, source: str, max_nodes: int, unique_keys: bool) -> None:
    """Expanded size (aliases counted every time they are used), cycles and duplicate keys; iterative."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > max_nodes:
                raise InputError(
                    f"expands to more than {max_nodes:,} nodes: refused as a possible alias bomb",
                    source=source, where=_mark(node.start_mark),
                )  # fmt: skip
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise InputError(
                "an alias refers to its own ancestor (a recursive structure)",
                source=source,
                where=_mark(node.start_mark),
            )
        on_path.add(key)
        stack.append((node, True))
        if unique_keys and isinstance(node, MappingNode):
            seen: set[tuple[str, str]] = set()
            for k, _ in node.value:
                if isinstance(k, ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    ident = (k.tag, k.value)
                    if ident in seen:
                        raise InputError(
                            f"duplicate key {k.value!r}", source=source, where=_mark(k.start_mark)
                        )
                    seen.add(ident)
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def load_yaml(
    data: str | bytes, *, source: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES, max_nodes: int = MAX_NODES, unique_keys: bool = True,
    error: type[InputError] = InputError,
) -> Any:  # fmt: skip
    """One YAML document as plain data (``None`` when empty), or ``error`` (an InputError)."""
    with _yaml_errors(source, error):
        loader = _checked_loader(data, source, max_bytes, max_depth, max_aliases)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_nodes(node, source, max_nodes, unique_keys)
            return loader.construct_document(node)
        finally:
            loader.dispose()


def compose_yaml(
    data: str | bytes, *, source: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES, max_nodes: int = MAX_NODES, unique_keys: bool = True,
    error: type[InputError] = InputError,
) -> tuple[Node | None, Callable[[Node], Any]]:  # fmt: skip
    """(checked node graph, constructor) for readers that map paths to lines; same limits as load_yaml.

    ``construct(node)`` builds the value of the root node; its errors are ``error`` too.
    """
    with _yaml_errors(source, error):
        loader = _checked_loader(data, source, max_bytes, max_depth, max_aliases)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_nodes(node, source, max_nodes, unique_keys)
        finally:
            loader.dispose()

    def construct(root: Node) -> Any:
        with _yaml_errors(source, error):
            return _Loader("").construct_document(root)

    return node, construct


def _checked_loader(data: str | bytes, source: str, max_bytes: int, max_depth: int, max_aliases: int) -> Any:
    text = _text(data, source, max_bytes)
    _check_events(text, source, max_depth, max_aliases)
    return _Loader(text)


@contextlib.contextmanager
def _as(error: type[InputError]) -> Iterator[None]:
    """Our InputError as the caller's subclass of it (RuleError, ConfigError, LockfileError, ...)."""
    try:
        yield
    except InputError as exc:
        if type(exc) is error:
            raise
        raise error(exc.message, source=exc.source, where=exc.where) from None


@contextlib.contextmanager
def _yaml_errors(source: str, error: type[InputError]) -> Iterator[None]:
    """PyYAML's errors (and a constructor's ValueError on a value it cannot take) as ``error``."""
    try:
        with _as(error):
            yield
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise error(f"invalid YAML: {what}", source=source, where=_mark(mark)) from None
    except yaml.YAMLError as exc:  # ReaderError and friends: no mark
        raise error(f"invalid YAML: {exc}", source=source) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise error(f"invalid YAML value: {type(exc).__name__}: {exc}", source=source) from None


# --------------------------------------------------------------------------- JSON


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _path(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "$"


def _fine(doc: Any, max_depth: int, strings: bool) -> bool:
    """True when no container is deeper than ``max_depth`` and (if ``strings``) no key or string holds NUL.

    The fast pass: containers only, no paths. :func:`_walk` finds the place when this says no.
    """
    if not isinstance(doc, dict | list):
        return not (strings and isinstance(doc, str) and "\x00" in doc)
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            return False
        if type(value) is dict:
            if strings and any("\x00" in k for k in value):
                return False
            children: Any = value.values()
        else:
            children = value
        for c in children:
            kind = type(c)
            if kind is dict or kind is list:
                stack.append((c, depth + 1))
            elif strings and kind is str and "\x00" in c:
                return False
    return True


def _walk(doc: Any, source: str, max_depth: int) -> None:
    """Depth and NUL characters in keys and strings; iterative, with the JSON path of the first problem."""
    stack: list[tuple[Any, list[str | int]]] = [(doc, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError("a string contains a NUL character", source=source, where=_path(path))
            continue
        if isinstance(value, dict):
            items: Iterator[tuple[str | int, Any]] = iter(value.items())
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        if len(path) >= max_depth:
            raise InputError(f"nested deeper than {max_depth} levels", source=source, where=_path(path))
        for k, v in items:
            if isinstance(k, str) and "\x00" in k:
                raise InputError("a key contains a NUL character", source=source, where=_path(path))
            stack.append((v, [*path, k]))


def load_json(
    data: str | bytes, *, source: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
    unique_keys: bool = False, error: type[InputError] = InputError,
) -> Any:  # fmt: skip
    """One JSON document as plain data, or ``error`` (syntax errors as ``line:column``, others as a JSON path)."""
    with _as(error):
        return _load_json(data, source, max_bytes, max_depth, unique_keys)


def _load_json(data: str | bytes, source: str, max_bytes: int, max_depth: int, unique_keys: bool) -> Any:
    text = _text(data, source, max_bytes)
    try:  # strict: no NaN/Infinity, numbers in range; depth-limited (1024)
        doc = orjson.loads(data if isinstance(data, bytes) and not data.startswith(b"\xef\xbb\xbf") else text)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", source=source, where=_where(exc.lineno - 1, exc.colno - 1)
        ) from None
    # A NUL inside a string can only be written \u0000 (a raw one was refused above)
    if not _fine(doc, max_depth, strings="\\u0000" in text):
        _walk(doc, source, max_depth)
    if unique_keys and "{" in text:
        try:  # depth is known to be small now, so the recursive stdlib parser is safe
            json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
        except _Duplicate as exc:
            raise InputError(f"duplicate key {exc.key!r}", source=source) from None
        except (ValueError, RecursionError) as exc:  # pragma: no cover - orjson accepted it
            raise InputError(f"invalid JSON: {exc}", source=source) from None
    return doc


def load_json_lines(
    data: str | bytes, *, source: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
    unique_keys: bool = False, error: type[InputError] = InputError,
) -> list[Any]:  # fmt: skip
    """One JSON value per non-blank line; an error names the line."""
    with _as(error):
        return _load_json_lines(data, source, max_bytes, max_depth, unique_keys)


def _load_json_lines(
    data: str | bytes, source: str, max_bytes: int, max_depth: int, unique_keys: bool
) -> list[Any]:
    text = _text(data, source, max_bytes)
    out: list[Any] = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            out.append(_load_json(line, source, max_bytes, max_depth, unique_keys))
        except InputError as exc:
            col = re.fullmatch(r"1:(\d+)", exc.where or "")
            where = f"{n}:{col.group(1)}" if col else f"line {n}" + (f" {exc.where}" if exc.where else "")
            raise InputError(exc.message, source=source, where=where) from None
    return out
