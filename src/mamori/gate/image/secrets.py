"""Secrets in every layer's files, with mamori's secret scanner (the built-in detectors).

A file a later layer deletes or replaces is still in the image (``docker save`` or a pull
hands out every layer), so every layer's files are scanned and each secret names its
layer. Only a redacted form and a fingerprint are kept: the secret itself never leaves
the scanner's match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from mamori.gate.image.archive import LayerRef
from mamori.gate.image.model import ImageSecret
from mamori.gate.secrets.api import Settings, by_path, scanner_for
from mamori.gate.secrets.config import AllowEntry
from mamori.gate.secrets.detectors import REGISTRY
from mamori.gate.secrets.files import excluded
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
    """Scans each layer's files; ``settings`` (``.mamori-secrets.yaml``, ``.gitleaks.toml``) as the secrets gate reads them.

    As in `mamori gate secrets`: custom and disabled detectors, gitleaks rules and allowlists,
    ``exclude`` globs and gitleaks path allowlists (matched against the path inside the image),
    inline ``mamori:allow`` / ``gitleaks:allow``, a baseline of fingerprints and allowlist
    entries (by fingerprint, image path and detector, until their expiry).
    """

    settings: Settings | None = None
    scanner: Scanner = field(default_factory=lambda: Scanner(list(REGISTRY.values())))
    named: tuple[Detector, ...] = field(
        default_factory=lambda: tuple(d for d in REGISTRY.values() if d.by_path)
    )
    found: list[ImageSecret] = field(default_factory=list)
    inline: list[tuple[ImageSecret, str]] = field(default_factory=list)
    files: int = 0
    scanned_bytes: int = 0

    def _skipped(self, path: str) -> bool:
        st = self.settings
        if st is None:
            return False
        return bool(st.exclude and excluded(path, st.exclude)) or (st.skip_path is not None and st.skip_path(path))

    def __call__(self, ref: LayerRef, path: str, data: bytes) -> None:
        if path.startswith(SKIP_PREFIXES) or len(self.found) >= MAX_SECRETS or self._skipped(path):
            return
        self.files += 1
        self.scanned_bytes += len(data)
        matches = self.scanner.scan_bytes(
            path, data, generic=False if THIRD_PARTY.search(path) else None
        ).matches
        for m in [*matches, *by_path(self.named, path)]:
            secret = ImageSecret(
                detector=str(m.detector.id), title=m.detector.title, severity=m.detector.severity,
                layer=ref.index, layer_digest=ref.digest, path=path, line=m.line, column=m.column,
                fingerprint=fingerprint(m.detector.id, f"{ref.digest}/{path}", m.secret.reveal()),
                redacted=m.secret.redacted,
            )  # fmt: skip
            if m.allow_reason is not None:
                self.inline.append((secret, m.allow_reason))
            else:
                self.found.append(secret)

    def partition(self, found: Sequence[ImageSecret]
                  ) -> tuple[list[ImageSecret], list[tuple[ImageSecret, str, str]], list[str]]:  # fmt: skip
        """(reported, suppressed as (secret, by, reason), expired allowlist entries that matched)."""
        suppressed = [(s, "inline", why) for s, why in self.inline]
        st = self.settings
        if st is None:
            return list(found), suppressed, []
        live = [e for e in st.allowlist if not e.expired(st.today)]
        reported: list[ImageSecret] = []
        expired: dict[str, None] = {}
        for s in found:
            if s.fingerprint in st.baseline:
                suppressed.append((s, "baseline", "in baseline"))
                continue
            entry = _entry(live, s)
            if entry is not None:
                suppressed.append((s, "allowlist", entry.reason))
                continue
            for e in st.allowlist:
                if e.expired(st.today) and e.matches(s.fingerprint, s.path, s.detector):
                    expired[e.label] = None
            reported.append(s)
        return reported, suppressed, list(expired)


def _entry(entries: Sequence[AllowEntry], s: ImageSecret) -> AllowEntry | None:
    return next((e for e in entries if e.matches(s.fingerprint, s.path, s.detector)), None)


def layer_scanner(config_path: Path | None, search_dir: Path, today: date) -> LayerScanner:
    """A scanner with the secrets gate's config (``config_path``, else what ``search_dir`` holds), if any."""
    from mamori.gate.secrets.config import load_config
    from mamori.gate.secrets.files import BASELINE_NAME

    config, found = load_config(config_path, search_dir)
    if found is None and not (search_dir / BASELINE_NAME).is_file():
        return LayerScanner()
    base = found.parent if found is not None else search_dir
    settings = Settings.from_config(config, base_dir=base, today=today)
    return LayerScanner(settings, scanner_for(settings), tuple(d for d in settings.detectors if d.by_path))


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
