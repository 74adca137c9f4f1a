"""Typed values of the secret gate: detectors, secrets (always redacted), findings, results.

A raw secret only ever lives inside :class:`SecretValue`, whose ``repr`` and ``str`` are
redacted; renderers read :attr:`SecretValue.redacted` and the fingerprint, never the value.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NewType

from mamori.model.finding import Severity

DetectorId = NewType("DetectorId", str)
Fingerprint = NewType("Fingerprint", str)

#: Secrets shorter than this show no characters at all when redacted.
MIN_REVEAL_LEN = 12
#: Never more than this many characters of a secret are shown.
REVEAL_CHARS = 4

Validator = Callable[["re.Match[bytes]", bytes], bool]
"""``validator(match, secret) -> keep?``: a detector's extra check after its regex matched."""


class LazyPattern:
    """A bytes regular expression compiled on first use.

    A built-in detector only runs when one of its keywords occurs, so a small commit (a
    pre-commit hook) compiles few or none of them; tests compile every one.
    """

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: bytes, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[bytes] | None = None

    @property
    def compiled(self) -> re.Pattern[bytes]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex

    def finditer(self, string: bytes, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[bytes]]:
        return self.compiled.finditer(string, pos, endpos)

    def search(self, string: bytes, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[bytes] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: bytes, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[bytes] | None:
        return self.compiled.match(string, pos, endpos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyPattern) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


class Category(StrEnum):
    CLOUD = "cloud"
    VCS = "vcs"
    CHAT = "chat"
    PAYMENT = "payment"
    SAAS = "saas"
    AI = "ai"
    KEY = "private-key"
    DATABASE = "database"
    GENERIC = "generic"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Detector:
    """One kind of secret: metadata plus how to find it.

    ``keywords`` are lowercase literals; a line is only tried with ``regex`` when one of them
    occurs in it (case-insensitively). A detector with no keywords runs on every chunk.
    The secret is the ``secret`` named group when the regex has one, else the whole match.
    """

    id: DetectorId
    title: str
    severity: Severity
    category: Category
    regex: re.Pattern[bytes] | LazyPattern
    keywords: tuple[bytes, ...]
    min_entropy: float | None = None
    validator: Validator | None = None
    multiline: bool = False
    generic: bool = False
    supersedes: tuple[str, ...] = ()
    description: str = ""
    source: str = ""  # where the format is documented (vendor docs or a public token spec)
    lines_after: int = 0  # also match into this many following lines (XML elements, YAML block scalars)
    path: re.Pattern[str] | None = None  # only files whose repository-relative path matches
    vendor: bool = False  # a vendor-specific format: the placeholder filter also applies
    by_path: bool = False  # reported for a file's name alone (``path``), never for its content
    #: Where the regex is tried: "" anywhere in the line; "keyword" only at each keyword occurrence
    #: (the pattern starts with the name it looks for); "identifier" at the start of the identifier
    #: holding a keyword (``db_password = ...``). Anchored patterns cost one attempt per occurrence.
    anchor: str = ""
    #: Which group is the secret: 0 the ``secret`` named group (else the whole match); N > 0 group N;
    #: -1 (gitleaks rules without ``secretGroup``) the first group that matched, else the whole match.
    secret_group: int = 0

    def secret_of(self, match: re.Match[bytes]) -> bytes:
        return match.group(self.secret_span_group(match))

    def secret_span_group(self, match: re.Match[bytes]) -> int | str:
        """The group holding the secret in ``match`` (0: the whole match)."""
        if self.secret_group > 0:
            return self.secret_group if match.group(self.secret_group) else 0
        if self.secret_group < 0:
            for g in range(1, (match.re.groups or 0) + 1):
                if match.group(g):
                    return g
            return 0
        if "secret" in self.regex.groupindex and match.group("secret"):
            return "secret"
        return 0


def redact(secret: str) -> str:
    """First 4 characters (only for secrets of 12+ characters), an ellipsis and the length."""
    n = len(secret)
    if n < MIN_REVEAL_LEN:
        return f"…({n} chars)"
    return f"{secret[:REVEAL_CHARS]}…({n} chars)"


class SecretValue:
    """A secret found in a file. ``str``/``repr`` are redacted; :meth:`reveal` is explicit."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def reveal(self) -> bytes:
        return self._raw

    @property
    def text(self) -> str:
        return self._raw.decode("utf-8", "replace")

    @property
    def redacted(self) -> str:
        return redact(self.text)

    def __repr__(self) -> str:
        return f"SecretValue({self.redacted!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __reduce__(self) -> tuple[object, ...]:  # never pickle a raw secret by accident
        raise TypeError("SecretValue cannot be pickled")


def fingerprint(detector: str, path: str, secret: bytes) -> Fingerprint:
    """Stable across line moves: detector, file path and a hash of the secret (never the secret)."""
    h = hashlib.sha256()
    h.update(b"mamori-secrets/v1\x1f")
    h.update(detector.encode())
    h.update(b"\x1f")
    h.update(path.encode("utf-8", "surrogateescape"))
    h.update(b"\x1f")
    h.update(secret)
    return Fingerprint(h.hexdigest()[:32])


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    email: str
    date: str  # ISO 8601 author date


@dataclass(frozen=True, slots=True)
class Match:
    """A raw detector hit in one file, before suppression."""

    detector: Detector
    path: str
    line: int
    column: int
    end_line: int
    secret: SecretValue
    allow_reason: str | None = None  # set when an inline ``mamori:allow <reason>`` covers it


class Verification(StrEnum):
    LIVE = "live"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SecretHit:
    detector: DetectorId
    title: str
    severity: Severity
    file: str
    line: int
    column: int
    end_line: int
    fingerprint: Fingerprint
    secret: SecretValue = field(compare=False)
    commit: Commit | None = None
    verified: Verification | None = None

    @property
    def redacted(self) -> str:
        return self.secret.redacted


class SuppressedBy(StrEnum):
    INLINE = "inline"
    BASELINE = "baseline"
    ALLOWLIST = "allowlist"


@dataclass(frozen=True, slots=True)
class Suppressed:
    finding: SecretHit
    by: SuppressedBy
    reason: str


@dataclass(slots=True)
class ScanStats:
    """What was and was not scanned (mutable while a scan runs, then read-only by convention)."""

    files: int = 0
    bytes: int = 0
    skipped_binary: int = 0
    skipped_large: int = 0
    skipped_excluded: int = 0
    long_line_files: list[str] = field(default_factory=list)
    commits: int = 0
    blobs: int = 0
    engine: str = ""


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: tuple[SecretHit, ...]
    suppressed: tuple[Suppressed, ...]
    stats: ScanStats
    expired_allowlist: tuple[str, ...] = ()
