"""Built-in secret detectors, one module per family, all in :data:`REGISTRY`."""

from __future__ import annotations

from mamori.gate.secrets.detectors import ai, aws, chat, cloud, generic, keys, payments, saas, vcs, vendors
from mamori.gate.secrets.detectors._base import REGISTRY
from mamori.gate.secrets.detectors._sources import GITLEAKS, source_of

__all__ = ["GITLEAKS", "REGISTRY", "ai", "aws", "chat", "cloud", "generic", "keys", "payments", "saas", "source_of", "vcs", "vendors"]
