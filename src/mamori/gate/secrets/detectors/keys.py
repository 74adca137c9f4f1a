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
# Lines end in a newline, or in an escaped one (a key inside a JSON or YAML string), and may be
# indented (a key in a YAML block scalar).
_NL = r"(?:\r?\n|(?:\\r)?\\n)"
_BODY = (
    rf"-----[ \t]*{_NL}(?:[ \t]*[A-Za-z\-]+:[^\r\n\\]*{_NL})*(?:{_NL})?[ \t]*"
    rf"(?P<secret>[A-Za-z0-9+/=]{{16,}}(?:{_NL}[ \t]*[A-Za-z0-9+/=]+)*)"
)
_WS = re.compile(rb"\s+|\\[rn]")


def _long_body(match: re.Match[bytes], secret: bytes) -> bool:
    return len(_WS.sub(b"", secret)) >= 64


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
    "private-key-other",
    "Private key (PEM, other labels: SSH2, ENCRYPTED SSH2, X25519, ANY, ...)",
    r"-----BEGIN (?!(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) PRIVATE KEY)[ A-Z0-9_\-]{1,100}PRIVATE KEY(?: BLOCK)?" + _BODY,
    ("private key-----", "private key block-----"),
    category=_C,
    severity=Severity.CRITICAL,
    validator=_long_body,
    multiline=True,
    supersedes=("generic-secret",),
    source="https://www.rfc-editor.org/rfc/rfc4716",
)
define(
    "pkcs12-file",
    "PKCS#12 / PFX key store file (.p12, .pfx) committed",
    r"(?!)",
    (".p12", ".pfx"),
    category=_C,
    severity=Severity.HIGH,
    path=r"(?i)(?:^|/)[^/]+\.p(?:12|fx)$",
    by_path=True,
    source="https://www.rfc-editor.org/rfc/rfc7292",
    description="Reported by file name: a key store usually holds a private key.",
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


_JWT_B64 = re.compile(rb"^eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.?")


def _jwt_b64_ok(match: re.Match[bytes], secret: bytes) -> bool:
    try:
        decoded = base64.b64decode(secret + b"=" * (-len(secret) % 4))
    except (binascii.Error, ValueError):
        return False
    return bool(_JWT_B64.match(decoded))


define(
    "jwt-base64",
    "JSON Web Token, base64-encoded (a JWT inside a Kubernetes Secret or a config blob)",
    r"(?<![A-Za-z0-9+/])(?P<secret>ZXlK[A-Za-z0-9+/]{60,}={0,2})(?![A-Za-z0-9+/=])",
    ("zxlk",),
    category=_C,
    severity=Severity.MEDIUM,
    validator=_jwt_b64_ok,
    supersedes=("generic-secret", "kubernetes-secret-yaml"),
    source="https://www.rfc-editor.org/rfc/rfc7519",
)
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
