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

# name ["'] [: type] op [block indicator | newline] [quote] value [quote]; possessive, so one pass per line.
# op: = := ::= :::= ?= .= += => == : , (a call: setProperty("NAME", "value")) > (an XML element) ||
_ASSIGN = (
    r"(?<![A-Za-z0-9_.\-])(?P<key>[A-Za-z0-9_.\-]++)[\"'`]?"
    r"(?:[ \t]*:?[ \t]*[A-Za-z_][\w.<>?\[\]]{0,20}?(?=[ \t]*:?=))?"
    r"[ \t]*+(?::{1,3}=|[?.+]=|=>|==?|:|,|>|\|\|)[ \t]*+(?:[|>][\-+]?[ \t]*\r?\n[ \t]*|\r?\n[ \t]*)?"
    r"(?P<q>[\"'`]?)(?P<secret>[^\s\"'`;,()\[\]{}<>\\]{%d,%d}+)(?P=q)(?=$|[\s,;)}\]#<&]|\\[nrt])"
)
_PASSWORD_KEY = re.compile(rb"(?i)passw(?:or)?d|pwd|passphrase")
_SECRET_KEY = re.compile(
    rb"(?i)secret|token|api[_\-]?key|apikey|access[_\-]?key|auth[_\-]?key|private[_\-]?key|credential|creds"
    rb"|passphrase|(?:^|[_.\-])key$|(?-i:[a-z]Key)$"
)
#: Names with "key" that do not hold secrets.
_PUBLIC_KEY = re.compile(
    rb"(?i)(?:public|publishable|pub|primary|foreign|sort|partition|cache|idempotency|lookup|dedup|i18n|translation"
    rb"|hot|mon|tur|row|map|dict|object|registry|s3|bucket|kms|ssh)[_.\-]?key$"
)
#: References, not values: $VAR, ${VAR}, $(cmd), %VAR%, %(name)s, @var, !Ref.
_REFERENCE = re.compile(
    rb"^(?:\$\{?[A-Za-z_][\w.]*\}?|\$\(.*\)|%[A-Za-z_]\w*%|%\(\w+\)[sd]|@[A-Za-z_][\w.]*@?|![A-Za-z]+\w*|\*\w+)$"
)
_HASHY = re.compile(
    rb"(?i)(?:^|[_.\-])(?:sha\d*|md5|hash|digest|checksum|integrity|commit|rev|revision|uuid|guid)(?:$|[_.\-])"
    rb"|(?:_?ids?|name|arn|path|file|url|uri|type|env|var|field|header|len|length|count|ttl|prefix|version|kind|"
    rb"format|policy|endpoint|expiry|expires|expiration|algorithm)$"
)


def _value_ok(match: re.Match[bytes], secret: bytes, *, min_quoted: float, min_bare: float) -> bool:
    key = match.group("key") or b""
    if _HASHY.search(key) or quiet.looks_like_placeholder(secret) or quiet.looks_like_identifier(secret):
        return False
    if _REFERENCE.match(secret) or secret.startswith((b"${", b"$(", b"%(", b"{{")):
        return False
    if secret.startswith(quiet.PUBLIC_PREFIXES):
        return False
    entropy = quiet.shannon_entropy(secret)
    if quiet.looks_like_hash_or_id(secret):
        # A hex digest or a UUID *next to a secret-sounding name* is a secret (an API key, a shared
        # secret); dates and SRI integrity strings never are. Neutral names never get here.
        return quiet.is_hex_or_uuid(secret) and entropy >= 3.0 and not quiet.looks_like_vendor_placeholder(secret)
    quoted = bool(match.group("q"))
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
    if not _SECRET_KEY.search(key) or _PUBLIC_KEY.search(key):
        return False
    return _value_ok(match, secret, min_quoted=3.5, min_bare=4.0) and not quiet.looks_like_vendor_placeholder(secret)


define(
    "generic-password",
    "Password assigned in code or config",
    _ASSIGN % (8, 128),
    ("password", "passwd", "pwd", "passphrase"),
    category=_G,
    severity=Severity.MEDIUM,
    validator=_password_ok,
    generic=True,
    lines_after=1,
    anchor="identifier",
    source="https://cwe.mitre.org/data/definitions/798.html",
)
define(
    "generic-secret",
    "High-entropy secret, token or API key assigned in code or config",
    _ASSIGN % (16, 512),
    (
        "secret",
        "token",
        "api_key",
        "api-key",
        "apikey",
        "access_key",
        "accesskey",
        "auth_key",
        "private_key",
        "credential",
        "creds",
        "encryption_key",
        "encryptionkey",
        "signing_key",
        "signingkey",
        "master_key",
        "masterkey",
        "client_key",
        "clientkey",
        "app_key",
        "appkey",
    ),
    category=_G,
    severity=Severity.MEDIUM,
    validator=_secret_ok,
    generic=True,
    lines_after=1,
    anchor="identifier",
    source="https://cwe.mitre.org/data/definitions/798.html",
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


# -- credentials on a curl command line and in Authorization headers ------------------------------
_CURL_PLACEHOLDER = re.compile(
    rb"(?i)^(?:change(?:it|me)|pass(?:word)?|pwd|test|token|secret|x+|\*+|\.+|<[^>]*>|\[[^\]]*\])$"
)


def _curl_user_ok(match: re.Match[bytes], secret: bytes) -> bool:
    user, sep, password = secret.partition(b":")
    if not sep:
        return False
    for part in (user, password):
        if _REFERENCE.match(part) or part.startswith((b"${", b"$(", b"{{", b"%")) or b"$" in part[:1]:
            return False
    if password and _CURL_PLACEHOLDER.match(password):
        return False
    value = password or user  # `-u ":secret"` or `-u "secret:"` (an API key as the user name)
    return len(value) >= 3 and not quiet.looks_like_placeholder(value) and not _CURL_PLACEHOLDER.match(value)


define(
    "curl-auth-user",
    "Credentials on a curl command line (-u / --user)",
    r"\bcurl\b(?:[^\r\n]|\\\r?\n){0,1000}?[ \t](?:-u|--user)(?:=|[ \t]{1,5})(?P<q>[\"']?)"
    r"(?P<secret>[^\s\"':]{0,200}:[^\s\"']{0,200})(?P=q)(?=\s|$|;|\|)",
    ("curl",),
    category=_G,
    severity=Severity.HIGH,
    validator=_curl_user_ok,
    multiline=True,
    supersedes=("generic-password", "generic-secret", "basic-auth-url"),
    source="https://curl.se/docs/manpage.html#-u",
)


def _header_token_ok(match: re.Match[bytes], secret: bytes) -> bool:
    if _REFERENCE.match(secret) or secret.startswith((b"$", b"{{", b"%", b"<")):
        return False
    return not quiet.looks_like_placeholder(secret) and quiet.shannon_entropy(secret) >= 2.5


define(
    "curl-auth-header",
    "Credentials in a curl Authorization header (-H / --header)",
    r"(?i)\bcurl\b(?:[^\r\n]|\\\r?\n){0,1000}?[ \t](?:-H|--header)(?:=|[ \t]{0,5})[\"']?"
    r"(?:Authorization|X-API-Key|Api-Key|X-Auth-Token|PRIVATE-TOKEN)[ \t]*:[ \t]*(?:(?:Basic|Bearer|token|Token|Bot)[ \t]+)?"
    r"(?P<secret>[A-Za-z0-9+/=_.~\-:]{8,})(?=[\"'\s]|$)",
    ("curl",),
    category=_G,
    severity=Severity.HIGH,
    validator=_header_token_ok,
    multiline=True,
    supersedes=("generic-secret", "bearer-token", "basic-auth-header", "jwt"),
    source="https://curl.se/docs/manpage.html#-H",
)


def _basic_ok(match: re.Match[bytes], secret: bytes) -> bool:
    import base64
    import binascii

    try:
        decoded = base64.b64decode(secret + b"=" * (-len(secret) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, sep, password = decoded.partition(b":")
    if not sep or not user or not all(32 <= c < 127 for c in decoded):
        return False
    return not (password and (_CURL_PLACEHOLDER.match(password) or quiet.looks_like_placeholder(password)))


define(
    "basic-auth-header",
    "HTTP Basic credentials in an Authorization header",
    r"(?i)\bAuthorization[\"']?[ \t]*[:=,][ \t]*[\"']?Basic[ \t]+(?P<secret>(?-i:[A-Za-z0-9+/]{6,}={0,2}))(?![A-Za-z0-9+/=])",
    ("authorization",),
    category=_G,
    severity=Severity.HIGH,
    validator=_basic_ok,
    supersedes=("generic-secret", "bearer-token"),
    source="https://www.rfc-editor.org/rfc/rfc7617",
)
