"""Built-in secret detectors, one module per family, all in :data:`REGISTRY`."""

from __future__ import annotations

from mamori.gate.secrets.detectors import ai, aws, chat, cloud, generic, keys, payments, saas, vcs
from mamori.gate.secrets.detectors._base import REGISTRY

__all__ = ["REGISTRY", "ai", "aws", "chat", "cloud", "generic", "keys", "payments", "saas", "vcs"]
