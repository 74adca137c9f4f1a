"""The registry of named shared hooks: Python checks that several rules use by name.

A rule names one as ``fail_when: {hook: monitoring.metric_filter_not_alarmed}`` (a dotted
name: ``<module>.<function>``), instead of a ``<id>.py`` that only forwards to it. Each entry
says which resource types it reads and which rule parameters it needs, so the rule loader can
reject a rule that names it for another type or without those parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mamori.model.resource import Resource
from mamori.registry import Registry

HookFn = Callable[[Resource, Any], Any]


@dataclass(frozen=True)
class SharedHook:
    name: str
    fn: HookFn
    resource_types: tuple[str, ...]
    params: tuple[str, ...] = ()


SHARED_HOOKS: Registry[SharedHook] = Registry("shared hook")


def shared_hook(name: str, *, resource_types: tuple[str, ...], params: tuple[str, ...] = ()) -> Callable[[HookFn], HookFn]:
    """Register ``fn`` as the shared hook ``name`` for rules over ``resource_types``."""

    def deco(fn: HookFn) -> HookFn:
        SHARED_HOOKS.add(name, SharedHook(name, fn, resource_types, params))
        return fn

    return deco
