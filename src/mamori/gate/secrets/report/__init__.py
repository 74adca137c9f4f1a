"""Output formats, one module each, registered by name (``-o text|json|sarif``).

Every format renders a :class:`~mamori.gate.secrets.model.ScanResult` to text and only ever
reads a finding's redacted secret and fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mamori.gate.secrets.model import Detector, ScanResult
from mamori.registry import Registry


@dataclass(frozen=True, slots=True)
class ReportContext:
    detectors: Sequence[Detector]
    mode: str  # "paths", "staged" or "history"
    config_path: str | None = None
    baseline_hint: str = ".mamori-secrets-baseline.json"


Formatter = Callable[[ScanResult, ReportContext], str]
FORMATS: Registry[Formatter] = Registry("output format")


def render(name: str, result: ScanResult, ctx: ReportContext) -> str:
    return FORMATS.get(name)(result, ctx)


from mamori.gate.secrets.report import json_, sarif, text  # noqa: E402  (they register themselves)

__all__ = ["FORMATS", "ReportContext", "json_", "render", "sarif", "text"]
