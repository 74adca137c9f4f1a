"""The detector registry and the helper every detector module uses to add to it."""

from __future__ import annotations

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
    )
    REGISTRY.add(id, det)
    return det
