"""What the IaC readers hand the adapters: raw resources whose values may be unknown.

A value that cannot be resolved statically (a variable without a default, ``known after
apply`` in a plan, a remote module's output, a function mamori does not evaluate) is an
:class:`Unknown` holding the source expression; an adapter turns a property computed from
it into ``None`` and records the expression, so the rule says UNKNOWN and names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mamori.errors import InputError


class IacError(InputError):
    """An IaC file that cannot be read: names the file and the place."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value mamori could not resolve; ``expr`` is what the source said."""

    expr: str

    def __repr__(self) -> str:
        return f"Unknown({self.expr!r})"


def unknown_in(value: Any, limit: int = 10_000) -> Unknown | None:
    """The first Unknown inside a (nested) value, or None (iterative, bounded)."""
    stack = [value]
    seen = 0
    while stack and seen < limit:
        v = stack.pop()
        seen += 1
        if isinstance(v, Unknown):
            return v
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return None


@dataclass(frozen=True, slots=True)
class Waiver:
    """``mamori:ignore RULE_ID reason="..." expires=YYYY-MM-DD`` next to a resource."""

    rule_id: str
    reason: str
    expires: str
    line: int = 0
    problem: str = ""
    """Set when the waiver is malformed (no reason, no or bad expiry): it then waives nothing."""


@dataclass
class RawResource:
    """One resource as the source declares it (Terraform or CloudFormation names), values resolved
    as far as possible."""

    source: str  # "terraform" | "plan" | "cloudformation"
    type: str  # aws_s3_bucket / AWS::S3::Bucket
    address: str  # aws_s3_bucket.logs, module.net.aws_security_group.ssh[0], LogsBucket
    file: str
    line: int
    attrs: dict[str, Any]
    waivers: list[Waiver] = field(default_factory=list)
    root: str = ""
    """The unit addresses are unique in (a Terraform root module's directory, a plan or template
    file): resources of different roots never refer to each other."""
    refs: dict[str, str] = field(default_factory=dict)
    """For plan JSON: attribute -> the address it references (when the value is not yet known)."""


class Symbolic(str):
    """A value that will exist once applied but whose text is not known now: a resource's
    ``id``/``arn``, a ``Ref``/``Fn::GetAtt``, a pseudo parameter. It is a non-empty string
    (``${aws_kms_key.k.arn}``), so "is a key set?" is decided, while "is it ``*``?" never
    matches by accident."""

    __slots__ = ()
