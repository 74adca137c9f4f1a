"""What keeps the gate quiet: entropy, documented example keys, placeholders, hashes, lockfiles."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter

# AWS's documented example credentials (and friends), built from pieces so that this file
# is never itself mistaken for a leak.
_EX = "EXAMPLE"
DOCUMENTED_EXAMPLES: frozenset[bytes] = frozenset(
    s.encode()
    for s in (
        "AKIAIOSFODNN7" + _EX,
        "AKIAI44QH8DHB" + _EX,
        "ASIAIOSFODNN7" + _EX,
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + _EX + "KEY",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvb" + _EX + "KEY",
    )
)

_PLACEHOLDER_WORDS = (
    b"example",
    b"sample",
    b"placeholder",
    b"dummy",
    b"changeme",
    b"change_me",
    b"redacted",
    b"your_",
    b"your-",
    b"yourkey",
    b"insert",
    b"xxxxxx",
    b"******",
    b"......",
    b"000000",
    b"<",
    b"${",
    b"{{",
    b"%(",
    b"%s",
    b"process.env",
    b"os.environ",
    b"getenv",
    b"not-a-",
    b"not_a_",
    b"notasecret",
    b"fake",
)

_WEAK_EXACT = frozenset(
    {
        b"password",
        b"passwd",
        b"pass",
        b"secret",
        b"root",
        b"admin",
        b"test",
        b"guest",
        b"postgres",
        b"mysql",
        b"user",
        b"none",
        b"null",
        b"true",
        b"false",
        b"undefined",
        b"foobar",
        b"changeit",
        b"tiger",
        b"scott",
        b"hunter2",
        b"letmein",
        b"qwerty",
        b"123456",
        b"12345678",
        b"passw0rd",
        b"p@ssw0rd",
        b"password1",
        b"password123",
        b"mypassword",
        b"mysecret",
        b"secret123",
        b"pwd",
        b"pw",
        b"foo",
        b"bar",
        b"baz",
        b"xyzzy",
    }
)

_HEX_HASH = re.compile(rb"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$", re.IGNORECASE)
_UUID = re.compile(rb"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_DATE = re.compile(rb"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_SRI = re.compile(rb"^(?:sha1|sha256|sha384|sha512)-[A-Za-z0-9+/=]+$")
_IDENT = re.compile(rb"^[A-Za-z_$][A-Za-z_$]*(?:[.:][A-Za-z_$][A-Za-z0-9_$]*)*(?:\(\))?$")

LOCKFILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "poetry.lock",
        "pdm.lock",
        "uv.lock",
        "Pipfile.lock",
        "Cargo.lock",
        "go.sum",
        "Gemfile.lock",
        "composer.lock",
        "packages.lock.json",
        "flake.lock",
        "mix.lock",
        "pubspec.lock",
        "Podfile.lock",
        "gradle.lockfile",
    }
)


#: Values that are public by design (Stripe publishable keys are meant for browsers).
PUBLIC_PREFIXES = (b"pk_live_", b"pk_test_")


def shannon_entropy(data: bytes) -> float:
    """Bits per character."""
    if not data:
        return 0.0
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in Counter(data).values())


#: Well-known public keys, by the first 32 hex digits of their SHA-256 (so no key-shaped string is
#: stored here): Google API keys that Google publishes for its own public services and SDKs (the
#: same list gitleaks allows). They identify a public client, they grant nothing.
WELL_KNOWN_PUBLIC: frozenset[str] = frozenset(
    {
        "f56e323494a6ffc2064e7a955908957d",
        "2037abcaffb2b77785da716cf7ccff4f",
        "3f370c9dd8225c63b5c77de1f785edc9",
        "e4a5542bb7fd7b67e943c71ad29c34b5",
        "a19f89ab3555eac10c40741f6df79ecf",
        "0b476bdf9acf2123d547b5ae76f1e598",
        "eb540d2b6ee2a0a47c5779bc8a014178",
        "37f8f09bdf12c2f2eae4ead7273a62dd",
        "8731261cb72d86267a32a532ebd3df42",
        "49f777db995e8260da7ca9ffdf0c08d6",
        "27a9a42931dff7eb2f8434e20a9bce97",
        "dc0fcf046c61640cbd1e8b999ada3262",
        "4c98242dcadc8b29005c6b4aad526552",
        "ea9bb1082cf95663f5faca23b8b15ef2",
        "3a8b61d0f636b007840c0d40ba12bcf4",
        "a6c814bc555ae62c7bd8b58ec07bf559",
    }
)


def is_well_known_public(secret: bytes) -> bool:
    if len(secret) != 39 or not secret.startswith(b"AIza"):  # only Google API keys are listed
        return False
    return hashlib.sha256(secret).hexdigest()[:32] in WELL_KNOWN_PUBLIC


def is_documented_example(secret: bytes) -> bool:
    return secret in DOCUMENTED_EXAMPLES or b"EXAMPLE" in secret.upper() or is_well_known_public(secret)


def looks_like_placeholder(secret: bytes) -> bool:
    low = secret.lower()
    if low in _WEAK_EXACT:
        return True
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return True
    return len(set(low)) <= 2


def looks_like_hash_or_id(secret: bytes) -> bool:
    """Git SHAs, digests, UUIDs, lockfile integrity (SRI) strings and timestamps."""
    return bool(_HEX_HASH.match(secret) or _UUID.match(secret) or _SRI.match(secret) or _DATE.match(secret))


def is_hex_or_uuid(secret: bytes) -> bool:
    return bool(_HEX_HASH.match(secret) or _UUID.match(secret))


def looks_like_identifier(secret: bytes) -> bool:
    """``self.password``, ``config.token``, ``getToken()``: a reference, not a value."""
    return bool(_IDENT.match(secret))


def is_lockfile(path: str) -> bool:
    return path.rstrip("/").rsplit("/", 1)[-1] in LOCKFILES  # PurePosixPath(path).name, without its cost


_RUN = re.compile(rb"(.)\1{5,}")
_VENDOR_WORDS = (
    b"example",
    b"sample",
    b"placeholder",
    b"dummy",
    b"redacted",
    b"changeme",
    b"your_",
    b"your-",
    b"yourtoken",
    b"yourkey",
    b"notreal",
    b"not_real",
    b"${",
    b"{{",
    b"<",
)
_ASCENDING = b"0123456789abcdefghijklmnopqrstuvwxyz"


def looks_like_vendor_placeholder(secret: bytes) -> bool:
    """A token-shaped placeholder: ``ghp_xxxx…``, ``AKIAXXXX…``, ``sntryu_aaaa…``, ``…1234567890abcdef…``.

    A real token is random: it has many distinct characters, no long run of one character and no
    long stretch of the alphabet in order. Only the token's body counts, not its fixed prefix.
    """
    low = secret.lower()
    if len(low) <= 100 and any(w in low for w in _VENDOR_WORDS):  # a long random body may hold a word
        return True
    body = re.sub(rb"[^a-z0-9]", b"", low)
    if len(body) >= 8:
        # drop a leading run of letters shared by every vendor prefix style (ghp, glpat, akia, sntryu)
        tail = body[len(body) // 4 :]
        if len(set(tail)) <= (3 if len(tail) < 40 else 6):
            return True
    for m in _RUN.finditer(low):
        if m.group(1) in b"-_.=/+":
            continue
        if len(m.group(0)) >= max(6, len(low) // 4) or (len(m.group(0)) >= 16 and m.group(1) != b"a"):
            return True
    return _longest_ascending(body) >= 10


_ASCENDING_RUN = re.compile(b"|".join(_ASCENDING[i : i + 10] for i in range(len(_ASCENDING) - 9)))


def _longest_ascending(body: bytes) -> int:
    """10 when ``body`` holds 10+ characters of ``0-9a-z`` in order (``1234567890``, ``abcdefghij``), else 0."""
    return 10 if _ASCENDING_RUN.search(body) else 0
