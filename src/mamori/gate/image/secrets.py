"""Secrets in every layer's files, with mamori's secret scanner (the built-in detectors).

A file a later layer deletes or replaces is still in the image (``docker save`` or a pull
hands out every layer), so every layer's files are scanned and each secret names its
layer. Only a redacted form and a fingerprint are kept: the secret itself never leaves
the scanner's match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from mamori.gate.image.archive import LayerRef
from mamori.gate.image.model import ImageSecret
from mamori.gate.secrets.api import by_path
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.model import Detector, fingerprint
from mamori.gate.secrets.scanner import Scanner

# System trees whose files come from the distribution's packages, not from whoever built the image.
SKIP_PREFIXES = ("usr/share/doc/", "usr/share/man/", "usr/share/locale/", "usr/share/zoneinfo/",
                 "usr/share/i18n/", "usr/share/perl", "usr/lib/x86_64-linux-gnu/perl", "proc/", "sys/")  # fmt: skip
MAX_SECRETS = 10_000
# Trees that hold installed third-party code: only vendor-format detectors (an AKIA key, a GitHub
# token) run there; the generic ones (``password = ...``, high-entropy assignments) would report
# every library's examples and test vectors.
THIRD_PARTY = re.compile(r"(?:^|/)(?:site-packages|dist-packages|node_modules|vendor|gems|\.m2|go/pkg/mod)/"
                         r"|^usr/(?:lib|share|include|libexec)/|^lib/|^opt/[^/]+/lib/")  # fmt: skip


@dataclass
class LayerScanner:
    scanner: Scanner = field(default_factory=lambda: Scanner(list(REGISTRY.values())))
    named: tuple[Detector, ...] = field(
        default_factory=lambda: tuple(d for d in REGISTRY.values() if d.by_path)
    )
    found: list[ImageSecret] = field(default_factory=list)
    files: int = 0
    scanned_bytes: int = 0

    def __call__(self, ref: LayerRef, path: str, data: bytes) -> None:
        if path.startswith(SKIP_PREFIXES) or len(self.found) >= MAX_SECRETS:
            return
        self.files += 1
        self.scanned_bytes += len(data)
        matches = self.scanner.scan_bytes(
            path, data, generic=False if THIRD_PARTY.search(path) else None
        ).matches
        for m in [*matches, *by_path(self.named, path)]:
            if m.allow_reason is not None:
                continue
            self.found.append(ImageSecret(
                detector=str(m.detector.id), title=m.detector.title, severity=m.detector.severity,
                layer=ref.index, layer_digest=ref.digest, path=path, line=m.line, column=m.column,
                fingerprint=fingerprint(m.detector.id, f"{ref.digest}/{path}", m.secret.reveal()),
                redacted=m.secret.redacted,
            ))  # fmt: skip


def mark_removed(
    found: list[ImageSecret], deleted: dict[str, int], final_layer_of: dict[str, int]
) -> list[ImageSecret]:
    """Each secret whose file a later layer deleted or replaced says which layer did."""
    out = []
    for s in found:
        final = final_layer_of.get(s.path)
        if final == s.layer:
            out.append(s)
            continue
        gone = deleted.get(s.path)
        out.append(replace(s, removed_in_layer=final if final is not None and final > s.layer else gone))
    return out
