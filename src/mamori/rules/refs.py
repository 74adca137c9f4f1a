"""Rule ids and parameters named outside the rules (``mamori.yaml``, the CLI), checked against the library.

A typo in ``disabled_rules`` or ``params`` would otherwise be ignored without a word (the rule
stays enabled, the default stays in force), and a parameter of the wrong type fails half-way
through a scan. Here each is refused with the file, the place and a "did you mean".

Cheap on purpose (every command loads the config): rule ids are the file names (``<id>.yaml``,
which :func:`mamori.specfile.read_spec` enforces), and only the rules given parameters are parsed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mamori.config import Config, load_config
from mamori.errors import ConfigError, InputError


def load_checked_config(path: str | Path | None = None) -> Config:
    """:func:`mamori.config.load_config`, then the rules it names checked (what every command loads).

    The config layer sits below the rules, so the check that needs the rule library lives here.
    """
    cfg = load_config(path)
    if cfg.source is not None:
        check_config_rules(cfg.params, cfg.disabled_rules, cfg.rule_paths, source=str(cfg.source))
    return cfg


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known words, or ``""``."""
    close = difflib.get_close_matches(word, sorted(set(known)), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def rule_files(rule_paths: Iterable[Path]) -> dict[str, Path]:
    """Each rule id (the built-in library, then ``rule_paths``) and its YAML file."""
    from mamori.rules.loader import LIBRARY, iter_rule_files

    return {p.stem: p for p in iter_rule_files([LIBRARY, *(Path(d) for d in rule_paths)])}


def unknown_rule(rule_id: str, known: Iterable[str], *, source: str | None = None, where: str | None = None) -> InputError:
    return ConfigError(f"unknown rule {rule_id!r}{did_you_mean(rule_id, known)}", source=source, where=where)


def check_rule_id(rule_id: str, known: Iterable[str], *, where: str) -> None:
    """Refuse a rule id that is neither a rule nor in the store (an imported tool's), with a "did you mean"."""
    known = set(known)
    if rule_id not in known:
        raise InputError(f"{where}: unknown rule {rule_id!r}{did_you_mean(rule_id, known)}; `mamori rules list` shows them")


def check_config_rules(
    params: Mapping[str, Mapping[str, Any]], disabled: Iterable[str], rule_paths: Iterable[Path], *, source: str
) -> None:
    """Refuse unknown rule ids in ``disabled_rules`` and ``params``, unknown parameter names, and values
    whose type differs from the rule's default (``max_age_days: sixty`` where the default is 90)."""
    disabled = list(disabled)
    if not params and not disabled:
        return
    files = rule_files(rule_paths)
    for i, rid in enumerate(disabled):
        if rid not in files:
            raise unknown_rule(rid, files, source=source, where=f"disabled_rules[{i}]")
    from mamori.rules.loader import load_rule

    for rid, given in params.items():
        if rid not in files:
            raise unknown_rule(rid, files, source=source, where=f"params.{rid}")
        defaults = load_rule(files[rid]).spec.params
        for name, value in given.items():
            where = f"params.{rid}.{name}"
            if name not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                raise ConfigError(
                    f"rule {rid} has no parameter {name!r}{did_you_mean(name, defaults)} (its parameters: {known})",
                    source=source, where=where,
                )  # fmt: skip
            expected = type_name(defaults[name])
            if expected and not same_kind(value, defaults[name]):
                raise ConfigError(
                    f"{name} must be {expected} (the rule's default is {defaults[name]!r}), not {value!r}", source=source, where=where
                )


def type_name(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float):
        return "a number"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, list):
        return "a list"
    if isinstance(default, dict):
        return "a mapping"
    return ""


def same_kind(value: Any, default: Any) -> bool:
    """Whether ``value`` may replace ``default``: a number for a number (not a bool), a list for a list, ..."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list)
    if isinstance(default, dict):
        return isinstance(value, dict)
    return True
