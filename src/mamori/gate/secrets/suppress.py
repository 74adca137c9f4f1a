"""Silencing known findings: inline ``mamori:allow <reason>``, a baseline of fingerprints, the allowlist.

A baseline holds fingerprints (a keyed hash of detector, path and secret), the detector and the
path — never a secret and never a line number, so it stays valid when lines move.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from mamori.gate.secrets.config import AllowEntry
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import SecretHit, Suppressed, SuppressedBy

BASELINE_VERSION = 1


def load_baseline(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretsConfigError(f"cannot read baseline: {exc.strerror}", source=str(path)) from None
    from mamori.safeload import load_json  # here: the staged gate without a baseline imports no parser

    data = load_json(text, source=str(path), error=SecretsConfigError)  # bounded: size, depth, NUL
    if not isinstance(data, dict) or not isinstance(data.get("fingerprints"), list):
        raise SecretsConfigError(
            'expected {"version": 1, "fingerprints": [...]}', source=str(path), where="1"
        )
    out: set[str] = set()
    for i, item in enumerate(data["fingerprints"]):
        fp = item.get("fingerprint") if isinstance(item, dict) else item
        if not isinstance(fp, str) or not fp:
            raise SecretsConfigError(f"fingerprints[{i}]: expected a fingerprint string", source=str(path))
        out.add(fp)
    return out


def baseline_document(findings: Iterable[SecretHit]) -> str:
    """The JSON text of a baseline for ``findings`` (sorted, deterministic)."""
    entries = sorted(
        {(f.fingerprint, f.detector, f.file) for f in findings},
        key=lambda t: (t[2], t[1], t[0]),
    )
    doc = {
        "version": BASELINE_VERSION,
        "tool": "mamori gate secrets",
        "fingerprints": [{"fingerprint": fp, "detector": det, "file": path} for fp, det, path in entries],
    }
    return json.dumps(doc, indent=2) + "\n"


def partition(
    findings: Sequence[SecretHit],
    inline: dict[int, str],
    *,
    baseline: set[str],
    allowlist: Sequence[AllowEntry],
    today: date,
) -> tuple[list[SecretHit], list[Suppressed], list[str]]:
    """Split into (reported, suppressed, expired allowlist labels). ``inline`` maps index -> reason."""
    reported: list[SecretHit] = []
    suppressed: list[Suppressed] = []
    live = [e for e in allowlist if not e.expired(today)]
    expired_used: dict[str, None] = {}
    for i, f in enumerate(findings):
        if i in inline:
            suppressed.append(Suppressed(f, SuppressedBy.INLINE, inline[i]))
            continue
        if f.fingerprint in baseline:
            suppressed.append(Suppressed(f, SuppressedBy.BASELINE, "in baseline"))
            continue
        entry = next((e for e in live if e.matches(f.fingerprint, f.file, f.detector)), None)
        if entry is not None:
            suppressed.append(Suppressed(f, SuppressedBy.ALLOWLIST, entry.reason))
            continue
        for e in allowlist:
            if e.expired(today) and e.matches(f.fingerprint, f.file, f.detector):
                expired_used[e.label] = None
        reported.append(f)
    return reported, suppressed, list(expired_used)
