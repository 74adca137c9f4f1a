"""Private keys (PEM, OpenSSH, PuTTY, PGP, age) and signed tokens (JWT)."""

from __future__ import annotations

import base64
import binascii
import re

from mamori.gate.secrets.detectors._base import define
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_C = Category.KEY
# A PEM body: optional RFC 1421 headers, then at least 64 base64 characters over one or more lines.
_BODY = r"-----[ \t]*\r?\n(?:[A-Za-z\-]+:[^\r\n]*\r?\n)*(?:\r?\n)?(?P<secret>[A-Za-z0-9+/=]{16,}(?:\r?\n[A-Za-z0-9+/=]+)*)"


def _long_body(match: re.Match[bytes], secret: bytes) -> bool:
    return len(secret.replace(b"\n", b"").replace(b"\r", b"")) >= 64


for _id, _label, _title in (
    ("private-key-rsa", "RSA PRIVATE KEY", "RSA private key (PEM, PKCS#1)"),
    ("private-key-ec", "EC PRIVATE KEY", "EC private key (PEM, SEC 1)"),
    ("private-key-dsa", "DSA PRIVATE KEY", "DSA private key (PEM)"),
    ("private-key-pkcs8", "(?:ENCRYPTED )?PRIVATE KEY", "Private key (PEM, PKCS#8, plain or encrypted)"),
    ("private-key-openssh", "OPENSSH PRIVATE KEY", "OpenSSH private key"),
    ("private-key-pgp", "PGP PRIVATE KEY BLOCK", "PGP private key block"),
):
    _kw = _label.replace("(?:ENCRYPTED )?", "")
    define(
        _id,
        _title,
        rf"-----BEGIN {_label}" + _BODY,
        (f"begin {_kw}",) if _id != "private-key-pkcs8" else ("begin private key", "begin encrypted private key"),
        category=_C,
        severity=Severity.CRITICAL,
        validator=_long_body,
        multiline=True,
        supersedes=("generic-secret",),
    )

define(
    "putty-private-key",
    "PuTTY private key (.ppk)",
    r"PuTTY-User-Key-File-[23]:[^\r\n]*\r?\n(?:[^\r\n]*\r?\n){0,40}?Private-Lines:\s*[0-9]+\r?\n"
    r"(?P<secret>[A-Za-z0-9+/=]{16,}(?:\r?\n[A-Za-z0-9+/=]+)*)",
    ("putty-user-key-file-",),
    category=_C,
    severity=Severity.CRITICAL,
    multiline=True,
)
define(
    "age-secret-key",
    "age encryption secret key",
    r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
    ("age-secret-key-1",),
    category=_C,
    severity=Severity.CRITICAL,
)


def _jwt_header_ok(match: re.Match[bytes], secret: bytes) -> bool:
    head = secret.split(b".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(head + b"=" * (-len(head) % 4))
    except (binascii.Error, ValueError):
        return False
    return b'"alg"' in decoded or b'"typ"' in decoded or b'"kid"' in decoded


define(
    "jwt",
    "JSON Web Token",
    r"(?<![A-Za-z0-9_\-.])(?P<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})(?![A-Za-z0-9_\-.])",
    ("eyj",),
    category=_C,
    severity=Severity.MEDIUM,
    validator=_jwt_header_ok,
    supersedes=("generic-secret",),
    description="Often short-lived; long-lived service tokens (e.g. Supabase, Kubernetes) are credentials.",
)
