"""The detector registry and the helper every detector module uses to add to it."""

from __future__ import annotations

import re

from mamori.gate.secrets.model import Category, Detector, DetectorId, LazyPattern, Validator
from mamori.model.finding import Severity
from mamori.registry import Registry

REGISTRY: Registry[Detector] = Registry("secret detector")

#: Token boundaries: a token is not part of a longer run of token characters.
B = r"(?<![A-Za-z0-9_\-])"
E = r"(?![A-Za-z0-9_\-])"


def define(
    id: str,
    title: str,
    pattern: str,
    keywords: tuple[str, ...],
    *,
    category: Category,
    severity: Severity = Severity.HIGH,
    min_entropy: float | None = None,
    validator: Validator | None = None,
    multiline: bool = False,
    generic: bool = False,
    supersedes: tuple[str, ...] = (),
    flags: int = 0,
    description: str = "",
    source: str = "",
    lines_after: int = 0,
    path: str | None = None,
    by_path: bool = False,
    anchor: str = "",
) -> Detector:
    """Register one built-in detector (its regex compiles on first use)."""
    det = Detector(
        id=DetectorId(id),
        title=title,
        severity=severity,
        category=category,
        regex=LazyPattern(pattern.encode(), flags),
        keywords=tuple(k.lower().encode() for k in keywords),
        min_entropy=min_entropy,
        validator=validator,
        multiline=multiline,
        generic=generic,
        supersedes=supersedes,
        description=description,
        source=source,
        lines_after=lines_after,
        path=re.compile(path) if path else None,
        vendor=not generic,
        by_path=by_path,
        anchor=anchor,
    )
    REGISTRY.add(id, det)
    return det


#: How a value is attached to a name, in the languages and config formats seen in repositories:
#: ``=``, ``:=``, ``::=``, ``:::=``, ``?=``, ``.=``, ``+=``, ``=>``, ``:``, ``,`` (a call such as
#: ``System.setProperty("NAME", "value")``), ``>`` (an XML element) and ``||`` (a default).
OPS = r"(?::{1,3}=|[?.+]=|=>|==?|:|,|>|\|\|)"
#: After the operator: an optional YAML block-scalar indicator, or the value on the next line
#: (an XML element's text, a folded YAML value); then an optional opening quote.
LEAD = r"[ \t]{0,5}(?:[|>][\-+]?[ \t]*\r?\n[ \t]*|\r?\n[ \t]*)?[\"'`]?"
#: The value ends at a quote, whitespace, a separator, an escaped newline or the end of the text.
TAIL = r"(?=[\"'`\s;,)<&\]}]|\\[nrt]|$)"
#: Between a name and its operator: the rest of the identifier, a closing quote, and an optional
#: type (``var fooToken string = ...``, ``val fooToken: String = ...``, ``String fooToken = ...``).
_REST = r"(?P<key>[\w.\-]{0,30}?)[\"'`]?(?:[ \t]*:?[ \t]*[A-Za-z_][\w.<>?\[\]]{0,20}?(?=[ \t]*(?:=|:=)))?[ \t]{0,3}"
#: A name starts a word, or a camelCase part of one (``myAdafruitKey``).
_START = r"(?:(?<![A-Za-z0-9])|(?<=[a-z])(?-i:(?=[A-Z])))"


def keyed_pattern(names: str, value: str, *, case_sensitive_value: bool = False) -> str:
    """``name ... op value``: a value of the vendor's shape assigned to a name that mentions the vendor.

    ``names`` is a regex alternation (case-insensitive); ``value`` the value's shape.
    """
    val = f"(?-i:{value})" if case_sensitive_value else value
    return rf"(?i){_START}(?:{names}){_REST}{OPS}{LEAD}(?P<secret>{val}){TAIL}"


def token_pattern(body: str) -> str:
    """A self-identifying token (a fixed prefix and a body), not part of a longer token."""
    return B + rf"(?P<secret>{body})" + E
