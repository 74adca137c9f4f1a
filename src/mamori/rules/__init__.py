"""The rule library and its loader.

The loader (and the shared hooks it checks rules against, which import the collectors) is
imported on first use of ``Rule``, ``RuleSet`` or ``load_rules``: ``mamori.rules.conditions``
alone (what event detections compile with) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mamori.rules.loader import Rule, RuleSet, load_rules

__all__ = ["Rule", "RuleSet", "load_rules"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mamori.rules import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
