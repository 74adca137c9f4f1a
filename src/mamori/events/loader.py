"""Find, validate and compile detections; index them by (eventSource, eventName).

Built-in detections live in ``mamori/events/detections/<id>.yaml``; users add
directories of their own (``events: {detection_paths: [...]}``). Conditions use the
posture rules' language (:mod:`mamori.rules.conditions`) over a view of the record:
``path`` reads the record (``requestParameters.name``, JMESPath for lists) and
``principal.arn`` / ``principal.type`` / ``principal.name`` read the normalised principal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jmespath

from mamori.catalog import standards
from mamori.events.errors import DetectionError
from mamori.events.schema import DetectionSpec
from mamori.rules.conditions import Compiled, compile_condition
from mamori.rules.jpath import compile_path
from mamori.specfile import load_hooks, read_spec

LIBRARY = Path(__file__).parent / "detections"
Getter = Callable[[Mapping[str, Any]], Any]


def getter(path: str) -> Getter:
    """A reader for a dotted path (fast) or a JMESPath expression over a record view."""
    parts = path.split(".")
    if all(p.isidentifier() for p in parts):

        if len(parts) == 1:
            key = parts[0]

            def top(d: Mapping[str, Any]) -> Any:
                return d.get(key)

            return top
        if len(parts) == 2:
            k1, k2 = parts

            def two(d: Mapping[str, Any]) -> Any:
                cur = d.get(k1)
                if type(cur) is dict:  # the common case, without the ABC check
                    return cur.get(k2)
                return cur.get(k2) if isinstance(cur, Mapping) else None

            return two

        def dotted(d: Mapping[str, Any]) -> Any:
            cur: Any = d
            for p in parts:
                if type(cur) is not dict and not isinstance(cur, Mapping):
                    return None
                cur = cur.get(p)
            return cur

        return dotted
    return compile_path(path)


@dataclass(frozen=True, eq=False)
class Detection:
    spec: DetectionSpec
    path: Path
    when: Compiled | None
    hooks: dict[str, Callable[..., Any]] = field(default_factory=dict)
    resource: Getter | None = None
    threshold_by: tuple[Getter, ...] = ()
    prefilter: tuple[tuple[Getter, tuple[Any, ...]], ...] = ()
    prefilter_re: tuple[tuple[Getter, re.Pattern[str]], ...] = ()
    distinct: Getter | None = None
    record_only: bool = False
    """Its threshold and resource paths read the raw record only (:func:`record_safe`): no view is built to count it."""
    when_record_only: bool = False
    """Its condition reads the raw record only (no hook, every path :func:`record_safe`): evaluated on the record."""

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def keys(self) -> list[tuple[str, str]]:
        return [(e.source, n) for e in self.spec.events for n in e.names]


class DetectionSet:
    """Detections by id, and the index that routes an event only to those that can match it."""

    def __init__(self, detections: Iterable[Detection]) -> None:
        self._by_id: dict[str, Detection] = {}
        for d in detections:
            if d.id in self._by_id:
                raise DetectionError(f"detection {d.id!r} is defined twice (also in {self._by_id[d.id].path})", source=str(d.path))
            self._by_id[d.id] = d
        self._exact: dict[tuple[str, str], list[Detection]] = {}
        self._lower: dict[tuple[str, str], list[Detection]] = {}
        for d in self:
            for key in d.keys:
                self._exact.setdefault(key, []).append(d)
                if d.spec.sigma is not None:  # Sigma compares case-insensitively: so does its index
                    self._lower.setdefault((key[0].lower(), key[1].lower()), []).append(d)
            esc = d.spec.escalate
            for other in esc.counting if esc else ():
                if other not in self._by_id:
                    raise DetectionError(f"escalate.counting names unknown detection {other!r}", source=str(d.path))
        self._cache: dict[tuple[str, str], tuple[Detection, ...]] = {}

    def candidates(self, source: str, name: str) -> tuple[Detection, ...]:
        """The detections an event of (source, name) can meet (cached per pair)."""
        key = (source, name)
        hit = self._cache.get(key)
        if hit is None:
            ex = self._exact
            found = ex.get(key, []) + ex.get((source, "*"), []) + ex.get(("*", name), []) + ex.get(("*", "*"), [])
            if self._lower:
                lo, s_, n_ = self._lower, source.lower(), name.lower()
                found += lo.get((s_, n_), []) + lo.get((s_, "*"), []) + lo.get(("*", n_), [])
            hit = tuple({d.id: d for d in found}.values())
            self._cache[key] = hit
        return hit

    def __iter__(self) -> Iterator[Detection]:
        return iter(sorted(self._by_id.values(), key=lambda d: d.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, did: object) -> bool:
        return did in self._by_id

    def get(self, did: str) -> Detection:
        try:
            return self._by_id[did]
        except KeyError:
            raise KeyError(f"no detection {did!r}; `mamori events detections` lists them") from None

    def without(self, ids: Iterable[str]) -> DetectionSet:
        drop = set(ids)
        return DetectionSet(d for d in self if d.id not in drop)


def load_detection(path: Path) -> Detection:
    from mamori.events.responders import RESPONDERS

    spec = read_spec(path, DetectionSpec, DetectionError, "detection")
    known = _baseline_items()
    for item in spec.baseline:
        if item not in known:
            raise DetectionError(f"baseline has no item {item!r}", source=str(path), where="baseline")
    refs = list(spec.respond) + (list(spec.escalate.respond) if spec.escalate else [])
    for ref in refs:
        if ref.responder not in RESPONDERS:
            raise DetectionError(f"unknown responder {ref.responder!r} (known: {', '.join(RESPONDERS)})", source=str(path), where="respond")
    hooks = load_hooks(path, DetectionError, "detection")
    try:
        when = compile_condition(spec.when, "when", set(hooks)) if spec.when else None
        res = getter(spec.resource) if spec.resource else None
        by = tuple(getter(p) for p in spec.threshold.by) if spec.threshold else ()
        pre = tuple((getter(k), tuple(v)) for k, v in spec.prefilter.items())
        pre_re = tuple((getter(k), re.compile(v, re.IGNORECASE)) for k, v in spec.prefilter_match.items())
        distinct = getter(spec.threshold.distinct) if spec.threshold and spec.threshold.distinct else None
    except jmespath.exceptions.JMESPathError as exc:
        raise DetectionError(f"invalid path: {exc}", source=str(path)) from exc
    except re.error as exc:
        raise DetectionError(f"invalid regular expression in prefilter_match: {exc}", source=str(path), where="prefilter_match") from exc
    except DetectionError as exc:
        raise DetectionError(exc.message, source=str(path), where=exc.where) from exc
    except Exception as exc:
        from mamori.errors import RuleError

        if isinstance(exc, RuleError):
            raise DetectionError(exc.message, source=str(path), where=exc.where) from exc
        raise
    paths = [spec.resource or "", *(spec.threshold.by if spec.threshold else []), (spec.threshold.distinct or "") if spec.threshold else ""]
    record_only = all(record_safe(p) for p in paths if p)
    cond_paths = condition_paths(spec.when) if spec.when else []
    when_record_only = cond_paths is not None and all(record_safe(p) for p in cond_paths)
    return Detection(
        spec=spec, path=path, when=when, hooks=hooks, resource=res, threshold_by=by, prefilter=pre, prefilter_re=pre_re,
        distinct=distinct, record_only=record_only, when_record_only=when_record_only,
    )


def record_safe(path: str) -> bool:
    """Reading ``path`` from the record gives what reading it from the record's view gives.

    The view's properties are the record plus ``principal`` (:class:`mamori.events.matcher.EventView`),
    so a path is safe when it never reads the top-level ``principal`` nor the whole object: a
    dotted path not rooted at ``principal`` (nor at a ``$`` root), or a JMESPath expression whose
    every top-level read is a named field other than ``principal`` (``a.b[].c``, ``a || b``...).
    A wildcard, ``@``, a function or anything else at the top is not.
    """
    if not path or path.startswith("$"):
        return False
    parts = path.split(".")
    if all(p.isidentifier() for p in parts):
        return parts[0] != "principal"
    try:
        return _safe_node(jmespath.compile(path).parsed)
    except jmespath.exceptions.JMESPathError:
        return False


def _safe_node(node: dict[str, Any]) -> bool:
    kind, kids = node.get("type"), node.get("children", [])
    if kind == "field":
        return node.get("value") != "principal"
    if kind in ("subexpression", "flatten", "projection", "index_expression"):
        return bool(kids) and _safe_node(kids[0])  # the rest reads what the first part gave: the record's own values
    if kind == "or_expression" or kind == "and_expression":
        return bool(kids) and all(_safe_node(k) for k in kids)
    return False


def condition_paths(cond: Any) -> list[str] | None:
    """Every ``path`` a condition reads; None when it calls a hook (a hook sees the whole view)."""
    out: list[str] = []
    stack = [cond]
    while stack:
        c = stack.pop()
        if not isinstance(c, Mapping):
            return None
        if "hook" in c:
            return None
        for key in ("all", "any"):
            if key in c:
                if not isinstance(c[key], list):
                    return None
                stack.extend(c[key])
        if "not" in c:
            stack.append(c["not"])
        if "path" in c:
            if not isinstance(c["path"], str):
                return None
            out.append(c["path"])
    return out


@cache
def _baseline_items() -> frozenset[str]:
    """The baseline's item ids (built once: 84 detections would build the catalogue's controls 84 times)."""
    return frozenset(standards()["baseline"].controls())


def iter_detection_files(dirs: Iterable[Path]) -> Iterator[Path]:
    for d in dirs:
        if not d.is_dir():
            raise DetectionError("detection directory does not exist", source=str(d))
        for p in sorted(d.rglob("*.yaml")):
            if not p.name.startswith("_"):
                yield p


def load_detections(extra_dirs: Iterable[Path] = (), *, builtin: bool = True) -> DetectionSet:
    dirs = ([LIBRARY] if builtin else []) + [Path(d) for d in extra_dirs]
    return DetectionSet(load_detection(p) for p in iter_detection_files(dirs))
