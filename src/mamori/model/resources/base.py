"""The base of the typed resource models and the registry that maps a type name to its model.

Every resource type that a collector emits (and that a rule may target) has one frozen
model here, registered under its type name (``aws.sqs.queue``). A field that is ``None``
was not collected: rules read it as *unknown*. Collectors build a model; the
:class:`~mamori.model.resource.Resource` they yield keeps the model's
:meth:`Props.to_properties` as its ``properties`` mapping, so the engine reads plain
JSON-compatible values and snapshots stay as they were.

Validation is strict (no coercion: a string is never turned into a bool, an int never
into a float) and unknown keys are rejected, so a collector that emits a property the
model does not declare fails in its tests, not in a rule at scan time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from mamori.registry import Registry


class Missing:
    """The type of :data:`MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = Missing()
"""A value a collector could not read (a per-resource detail call failed): :meth:`Props.of`
turns it into ``None``, which rules read as unknown."""


class Entry(BaseModel):
    """A nested structure inside a property (a Block Public Access setting, a listener, ...)."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid", defer_build=True)


class Props(Entry):
    """The properties of one resource type. Subclass, declare fields ``X | None = None``, and
    register with :func:`resource_type`."""

    TYPE: ClassVar[str] = ""

    def to_properties(self) -> dict[str, Any]:
        """The JSON-compatible mapping a Resource holds: exactly the keys that were given."""
        return self.model_dump(exclude_unset=True)

    @classmethod
    def of(cls: type[P], values: Mapping[str, Any]) -> P:
        """Validate a mapping of properties, :data:`MISSING` values becoming ``None``
        (raises pydantic's ``ValidationError``)."""
        return cls.model_validate({k: (None if v is MISSING else v) for k, v in values.items()})


P = TypeVar("P", bound=Props)

RESOURCE_TYPES: Registry[type[Props]] = Registry("resource type")


def resource_type(name: str) -> Callable[[type[P]], type[P]]:
    """Register a model as the properties of resource type ``name`` (and set its ``TYPE``)."""

    def deco(cls: type[P]) -> type[P]:
        cls.TYPE = name
        RESOURCE_TYPES.add(name, cls)
        return cls

    return deco
