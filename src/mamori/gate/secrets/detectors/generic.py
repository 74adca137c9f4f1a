"""Context-based detectors: credentials in URLs and high-entropy values assigned to secret-sounding names.

These are the noisy kind, so they carry the most checks: placeholders, references to variables,
hashes, UUIDs and lockfile integrity strings are not secrets.
"""

from __future__ import annotations

import re

from mamori.gate.secrets import quiet
from mamori.gate.secrets.detectors._base import define
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_G = Category.GENERIC


def _url_password_ok(match: re.Match[bytes], secret: bytes) -> bool:
    user = match.group("user") or b""
    if secret.lower() == user.lower() or quiet.looks_like_placeholder(secret):
        return False
    return not (secret.startswith((b"$", b"%", b"{", b"[", b"*")) or secret.endswith(b"}"))


_DB_SCHEMES = (
    r"postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb"
    r"|clickhouse|neo4j(?:\+s)?|couchbase|cassandra|jdbc:[a-z]+"
)
define(
    "database-url-password",
    "Database URL with a password",
    rf"(?i)\b(?:{_DB_SCHEMES})(?:\+[a-z0-9_]+)?://(?P<user>[^:/\s@'\"]+):(?P<secret>[^@\s/'\"]{{3,}})@[^\s'\"/]+",
    ("://",),
    category=Category.DATABASE,
    severity=Severity.HIGH,
    validator=_url_password_ok,
    supersedes=("basic-auth-url", "generic-password", "generic-secret"),
)
define(
    "basic-auth-url",
    "Credentials in a URL (basic auth)",
    r"(?i)\b(?:https?|ftps?|git|ssh|svn|smtps?|ldaps?)://(?P<user>[^:/\s@'\"]+):(?P<secret>[^@\s/'\"]{3,})@[A-Za-z0-9.\-]+",
    ("://",),
    category=_G,
    severity=Severity.HIGH,
    validator=_url_password_ok,
    supersedes=("generic-password", "generic-secret"),
)

# name ["'] [: type] (= | : | := | => | ==) [quote] value [quote] -- possessive, so one pass per line.
_ASSIGN = (
    r"(?<![A-Za-z0-9_.\-])(?P<key>[A-Za-z0-9_.\-]++)[\"']?(?:\s*:\s*[A-Za-z_][\w.\[\]]*+)?\s*+(?::=|=>|==|=|:)\s*+"
    r"(?P<q>[\"'`]?)(?P<secret>[^\s\"'`;,()\[\]{}<>\\]{%d,%d}+)(?P=q)(?=$|[\s,;)}\]#]|\\n)"
)
_PASSWORD_KEY = re.compile(rb"(?i)passw(?:or)?d|pwd")
_SECRET_KEY = re.compile(
    rb"(?i)secret|token|api[_\-]?key|apikey|access[_\-]?key|auth[_\-]?key|private[_\-]?key|credential"
)
_HASHY = re.compile(
    rb"(?i)(?:^|[_.\-])(?:sha\d*|md5|hash|digest|checksum|integrity|commit|rev|revision|uuid|guid)(?:$|[_.\-])"
    rb"|(?:_?ids?|name|arn|path|file|url|uri|type|env|var|field|header|len|length|count|ttl|prefix|version|kind|"
    rb"format|policy|endpoint|expiry|expires|expiration|algorithm)$"
)


def _value_ok(match: re.Match[bytes], secret: bytes, *, min_quoted: float, min_bare: float) -> bool:
    key = match.group("key") or b""
    if _HASHY.search(key) or quiet.looks_like_placeholder(secret) or quiet.looks_like_hash_or_id(secret):
        return False
    if quiet.looks_like_identifier(secret) or secret.startswith((b"$", b"@", b"!", b"%", b"&", b"*")):
        return False
    quoted = bool(match.group("q"))
    entropy = quiet.shannon_entropy(secret)
    if quoted:
        return entropy >= min_quoted
    # A bare value (.env, .ini, YAML) must look random: letters and digits, and high entropy.
    has_digit = any(48 <= c <= 57 for c in secret)
    has_alpha = any(65 <= c <= 90 or 97 <= c <= 122 for c in secret)
    return has_digit and has_alpha and entropy >= min_bare


def _password_ok(match: re.Match[bytes], secret: bytes) -> bool:
    key = match.group("key") or b""
    return bool(_PASSWORD_KEY.search(key)) and _value_ok(match, secret, min_quoted=2.5, min_bare=3.0)


def _secret_ok(match: re.Match[bytes], secret: bytes) -> bool:
    key = match.group("key") or b""
    return bool(_SECRET_KEY.search(key)) and _value_ok(match, secret, min_quoted=3.5, min_bare=4.0)


define(
    "generic-password",
    "Password assigned in code or config",
    _ASSIGN % (8, 128),
    ("password", "passwd", "pwd"),
    category=_G,
    severity=Severity.MEDIUM,
    validator=_password_ok,
    generic=True,
)
define(
    "generic-secret",
    "High-entropy secret, token or API key assigned in code or config",
    _ASSIGN % (16, 512),
    ("secret", "token", "api_key", "api-key", "apikey", "access_key", "accesskey", "auth_key", "private_key", "credential"),
    category=_G,
    severity=Severity.MEDIUM,
    validator=_secret_ok,
    generic=True,
)


def _bearer_ok(match: re.Match[bytes], secret: bytes) -> bool:
    return not quiet.looks_like_placeholder(secret) and quiet.shannon_entropy(secret) >= 3.5


define(
    "bearer-token",
    "Bearer token in an Authorization header",
    r"(?i)\bbearer\s+(?P<secret>[A-Za-z0-9_\-.=~+/]{20,})",
    ("bearer",),
    category=_G,
    severity=Severity.MEDIUM,
    validator=_bearer_ok,
    generic=True,
    supersedes=("generic-secret",),
)
