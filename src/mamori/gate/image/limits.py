"""Bounds on what an image may make the gate read (every image is attacker-controlled input).

Nothing is ever extracted to disk: layers are streamed member by member, and only the files
that name packages are kept in memory, each within ``max_kept_file`` and all within
``max_kept_total``. ``max_total_bytes`` caps the uncompressed bytes of every layer together
(a gzip bomb stops there), ``max_entries`` the tar members of all layers, ``max_links`` the
symbolic and hard links, ``max_layers`` the layers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_layers: int = 256
    max_entries: int = 2_000_000
    max_links: int = 500_000
    max_total_bytes: int = 32 << 30
    max_kept_file: int = 128 << 20
    max_kept_total: int = 1 << 30
    max_scan_file: int = 8 << 20  # larger files are not scanned for secrets (reported as a count)
    max_manifest: int = 4 << 20  # manifest.json, index.json, image config
    max_jar_entries: int = 200_000
    max_nested_jar: int = 64 << 20
    max_symlink_hops: int = 40


DEFAULT_LIMITS = Limits()
