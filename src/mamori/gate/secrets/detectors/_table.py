"""Table-driven detectors: a row gives the format, where it is documented and a synthetic sample.

Two kinds of row:

* :func:`token` — a self-identifying token (``xkeysib-…``, ``glpat-…``): its prefix is its keyword.
* :func:`keyed` — a value without a prefix, recognised by its shape *and* a name that mentions the
  vendor (``adafruit_token = "…"``, ``<AlgoliaKey>…</AlgoliaKey>``, ``System.setProperty("ASANA_…", "…")``).

The ``sample`` of a row is a template the test corpus fills with random characters (``{a32}`` is 32
letters and digits; see :data:`CLASSES`), so no token-shaped string is ever written in the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mamori.gate.secrets.detectors._base import define, keyed_pattern, token_pattern
from mamori.gate.secrets.model import Category, Validator
from mamori.model.finding import Severity

#: Character classes of sample templates: ``{a32}`` = 32 characters of class ``a``.
CLASSES = {
    "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "x": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "L": "abcdefghijklmnopqrstuvwxyz",
    "l": "abcdefghijklmnopqrstuvwxyz0123456789",
    "u": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "U": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "d": "0123456789",
    "w": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    "b": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
}


@dataclass(frozen=True, slots=True)
class Row:
    """What the test corpus needs to know about a table detector."""

    id: str
    kind: str  # "token" or "keyed"
    sample: str  # template of the secret
    name: str = ""  # keyed: the name a sample assigns the value to (``{name}_token = …``)
    context: str = ""  # token: a line around the token (``{s}`` is the token), default an assignment
    path: str = "app/settings.env"  # where the test corpus writes a sample (path-bound detectors)


def _sample_path(pattern: str | None) -> str:
    if pattern is None:
        return "app/settings.env"
    for candidate in ("NuGet.config", "infra/main.tf", "deploy/secret.yaml", "wp/config.php"):
        if re.search(pattern, candidate):
            return candidate
    raise ValueError(f"no sample path for {pattern!r}")


ROWS: dict[str, Row] = {}


def token(
    id: str,
    title: str,
    source: str,
    body: str,
    keywords: tuple[str, ...],
    sample: str,
    *,
    category: Category = Category.SAAS,
    severity: Severity = Severity.HIGH,
    min_entropy: float | None = None,
    validator: Validator | None = None,
    supersedes: tuple[str, ...] = (),
    context: str = "",
    raw: bool = False,
    lines_after: int = 0,
    path: str | None = None,
    multiline: bool = False,
) -> None:
    """A prefixed token; ``body`` is its regex (``raw``: a complete regex with a ``secret`` group)."""
    define(
        id,
        title,
        body if raw else token_pattern(body),
        keywords,
        category=category,
        severity=severity,
        min_entropy=min_entropy,
        validator=validator,
        supersedes=("generic-secret", "generic-password", *supersedes),
        source=source,
        lines_after=lines_after,
        path=path,
        multiline=multiline,
    )
    ROWS[id] = Row(id, "token", sample, context=context, path=_sample_path(path))


def keyed(
    id: str,
    title: str,
    source: str,
    names: str,
    value: str,
    keywords: tuple[str, ...],
    sample: str,
    *,
    name: str = "",
    category: Category = Category.SAAS,
    severity: Severity = Severity.HIGH,
    min_entropy: float | None = None,
    validator: Validator | None = None,
    supersedes: tuple[str, ...] = (),
    case_sensitive: bool = False,
) -> None:
    """A value of ``value``'s shape assigned to a name matching ``names`` (the vendor's name)."""
    define(
        id,
        title,
        keyed_pattern(names, value, case_sensitive_value=case_sensitive),
        keywords,
        category=category,
        severity=severity,
        min_entropy=min_entropy,
        validator=validator,
        supersedes=("generic-secret", "generic-password", *supersedes),
        source=source,
        lines_after=1,
        anchor="keyword",
    )
    ROWS[id] = Row(id, "keyed", sample, name=name or keywords[0])
