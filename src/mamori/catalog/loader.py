"""Load the control catalogues shipped with mamori.

Catalogues are data; rules point at controls, never the other way round.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mamori.errors import InputError


class Control(BaseModel):
    """One item of a standard.

    ``automated: false`` marks a control no API can check (a plan exists, people are
    trained, keys have passphrases): only a person's attestation covers it (rules that
    map to it are supporting checks and can still make it fail). ``attest_with`` says
    what evidence an attestation should point at. ``not_covered_reason`` says why no
    built-in rule checks an automatable control (rendered into docs/standards.md).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    automated: bool = True
    attest_with: str | None = None
    not_covered_reason: str | None = None
    category: str = ""


class Category(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    controls: tuple[Control, ...]


class Standard(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    version: str
    categories: tuple[Category, ...]

    def controls(self) -> dict[str, Control]:
        return {
            c.id: c.model_copy(update={"category": cat.id}) for cat in self.categories for c in cat.controls
        }

    def control_ids(self) -> set[str]:
        """The ids of :meth:`controls` without copying every control (rule loading checks each rule's ids)."""
        return {c.id for cat in self.categories for c in cat.controls}

    def category_of(self, control_id: str) -> str:
        for cat in self.categories:
            if any(c.id == control_id for c in cat.controls):
                return cat.id
        raise KeyError(control_id)

    def category_title(self, category_id: str) -> str:
        for cat in self.categories:
            if cat.id == category_id:
                return cat.title
        raise KeyError(category_id)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it: the catalogues are ~0.05 s of every command's start-up with the pure-Python one."""

STANDARD_FILES = ("baseline.yaml", "cis-aws-3.0.yaml", "cis-gcp-3.0.yaml", "fsbp.yaml")


@cache
def load_standards() -> dict[str, Standard]:
    out: dict[str, Standard] = {}
    pkg = resources.files("mamori.catalog")
    for name in STANDARD_FILES:
        text = (pkg / name).read_text(encoding="utf-8")
        try:
            std = Standard.model_validate(yaml.load(text, Loader=_LOADER))  # a safe loader (shipped data)
        except (yaml.YAMLError, ValidationError) as exc:
            raise InputError(f"invalid standard catalogue: {exc}", source=name) from exc
        out[std.id] = std
    return out


def standards() -> dict[str, Standard]:
    return load_standards()
