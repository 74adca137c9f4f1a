"""Make the parts of a record that are stored or printed safe to store and to print.

Applied to what a match keeps (its evidence, principal and resource), never to what the
detections read, so an attacker cannot hide from a detection by shaping a record:

* credentials are redacted (:mod:`mamori.events.redact`);
* NUL characters (PostgreSQL refuses them in text and JSON) become U+FFFD;
* text longer than :data:`MAX_TEXT` is cut (with a note of its length);
* nesting deeper than :data:`MAX_DEPTH` is replaced by a marker (JSON writers and the
  store's JSON columns stop at a few hundred levels).

Copies, iteratively: the record itself is not changed.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from mamori.events.record import Principal
from mamori.events.redact import redact_in_place

MAX_TEXT = 64 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 10_000


def clean_text(s: str, max_text: int = MAX_TEXT) -> str:
    if "\x00" in s:
        s = s.replace("\x00", "\ufffd")
    if len(s) > max_text:
        s = s[:max_text] + f"…(cut: {len(s):,} chars)"
    return s


def fit(s: str, n: int) -> str:
    """Clean text cut to a column of ``n`` characters (account, region, key id columns)."""
    return clean_text(s)[:n]


def _key(k: Any) -> str:
    return clean_text(k if isinstance(k, str) else str(k))


def copy_json(value: Any) -> Any:
    """A copy of any depth and size (iterative), with NUL-free text."""
    return bounded_copy(value, max_depth=1 << 62, max_items=1 << 62, max_text=1 << 62)


def bounded_copy(value: Any, max_depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS, max_text: int = MAX_TEXT) -> Any:
    """A JSON-safe copy: clean text, at most ``max_depth`` levels and ``max_items`` containers' items."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(root, 0, value, 0)]
    budget = max_items
    while stack:
        parent, key, item, depth = stack.pop()
        if isinstance(item, str):
            parent[key] = clean_text(item, max_text)
        elif isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                parent[key] = f"…(nested deeper than {max_depth} levels: not kept)"
                continue
            if isinstance(item, dict):
                d: dict[str, Any] = {}
                parent[key] = d
                kept = list(item.items())[: max(budget, 0)]
                for k, _ in kept:
                    d[_key(k)] = None  # keys in their order; values filled as the stack unwinds
                for k, v in reversed(kept):
                    stack.append((d, _key(k), v, depth + 1))
            else:
                lst: list[Any] = [None] * min(len(item), max(budget, 0))
                parent[key] = lst
                for i in reversed(range(len(lst))):
                    stack.append((lst, i, item[i], depth + 1))
            budget -= len(item)
        elif item is None or isinstance(item, bool | int | float):
            parent[key] = item
        else:
            parent[key] = clean_text(str(item))
    return root[0]


def scrub(evidence: dict[str, Any]) -> dict[str, Any]:
    """A stored/printed copy of a match's evidence: bounded, NUL-free, credentials redacted."""
    out = bounded_copy(evidence)
    redact_in_place(out)
    assert isinstance(out, dict)
    return out


def clean_principal(p: Principal) -> Principal:
    changed: dict[str, Any] = {
        f.name: clean_text(v)
        for f in fields(p)
        if isinstance(v := getattr(p, f.name), str) and ("\x00" in v or len(v) > MAX_TEXT)
    }
    return replace(p, **changed) if changed else p
