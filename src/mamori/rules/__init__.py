"""The rule library and its loader."""

from mamori.rules.loader import Rule, RuleSet, load_rules

__all__ = ["Rule", "RuleSet", "load_rules"]
