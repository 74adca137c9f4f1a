"""Reading declarative spec files (rules, detections): YAML + pydantic + hook modules.

Shared by every registry whose entries are ``<id>.yaml`` with an optional ``<id>.py``
beside it; errors are the caller's InputError subclass, naming the file and the place.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mamori.errors import InputError

M = TypeVar("M", bound=BaseModel)


def read_spec(path: Path, model: type[M], error: type[InputError], kind: str) -> M:
    """Parse ``path`` as a YAML mapping and validate it with ``model``; the id must be the file name."""
    from mamori.safeload import load_yaml  # bounded: the 965-byte rule bomb of issue 12 is refused

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        data = load_yaml(raw, source=str(path), error=error)
    except InputError as exc:
        if exc.message.startswith("invalid YAML: "):  # the message this reader always gave
            raise error("malformed YAML: " + exc.message[len("invalid YAML: "):], source=exc.source,
                        where=exc.where) from None  # fmt: skip
        raise
    if not isinstance(data, dict):
        raise error(f"a {kind} file must hold a mapping", source=str(path))
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top)"
        raise error(str(err["msg"]), source=str(path), where=where) from exc
    spec_id = getattr(spec, "id", None)
    if spec_id != path.stem:
        raise error(f"{kind} id {spec_id!r} differs from the file name {path.stem!r}", source=str(path), where="id")
    return spec


def load_hooks(yaml_path: Path, error: type[InputError], kind: str) -> dict[str, Callable[..., Any]]:
    """The public functions of ``<id>.py`` beside the YAML (none when there is no such file)."""
    py = yaml_path.with_suffix(".py")
    if not py.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"mamori_{kind}_{py.stem}", py)
    if spec is None or spec.loader is None:
        raise error(f"cannot import the {kind}'s Python module", source=str(py))
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:  # a user's module may raise anything on import
        raise error(f"importing the {kind}'s Python module failed: {exc}", source=str(py)) from exc
    return {
        n: f
        for n, f in vars(mod).items()
        if callable(f) and not n.startswith("_") and getattr(f, "__module__", None) == mod.__name__
    }


def line_of(path: Path, loc: tuple[str | int, ...]) -> int | None:
    """The line of the value at ``loc`` (keys and list indexes) in a YAML file, or of its
    deepest ancestor that exists; ``None`` when the file cannot be read again."""
    try:
        node: yaml.Node | None = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    if node is None:
        return None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node.start_mark.line + 1


def loc_text(loc: tuple[str | int, ...]) -> str:
    """``("fail_when", "all", 1, "path")`` as ``fail_when.all[1].path``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
