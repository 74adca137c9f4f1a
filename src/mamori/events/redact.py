"""Redact credentials inside CloudTrail fields before they are stored or printed.

CloudTrail copies request parameters and response elements as the caller sent them, so a
token passed to an API, a password in a ``CreateUser``-style call or the credentials of an
``AssumeRole`` response end up in the record. Two passes, over string values only:

* by key: a value whose key names a credential (``password``, ``secretAccessKey``,
  ``sessionToken``, ``authorization``, ``clientSecret``, ...) — except keys that name an
  identifier (``...Id``, ``...Arn``, ``...Name``: ``accessKeyId``, ``SecretId``);
* by value: the secret gate's detectors (:mod:`mamori.gate.secrets`, through its public
  :class:`~mamori.gate.secrets.scanner.Scanner`, imported on first use), minus the ones
  that find identifiers: AWS access key ids (``AKIA...`` / ``ASIA...``) and IAM unique ids
  stay visible, since ``logs query key AKIA...`` and offence counting need them.

A redacted value keeps at most 4 characters (only of values of 12+ characters), its
length and, for 12+ characters, 8 hex digits of its SHA-256 so equal secrets can be told
apart: ``wJal…(redacted, 40 chars, sha256:3fa9c2d1)``. The full value is never kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mamori.gate.secrets.scanner import Scanner

#: Detectors whose hits are identifiers, not credentials: never redacted.
IDENTIFIERS = frozenset({"aws-access-key-id", "aws-iam-unique-id"})
_SENSITIVE_KEY = re.compile(
    r"password|passwd|passphrase|secret|token|authorization|apikey|privatekey|credential|signature|cookie",
    re.I,
)
_IDENTIFIER_KEY = re.compile(r"(id|ids|arn|arns|name|names|type|expiration|count|length|version)$", re.I)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_MIN_REVEAL = 12
_MIN_SCAN = 8  # shorter strings are not tried with the detectors


_MARKER = re.compile(r"(?s).{0,4}…\(redacted, \d+ chars(, sha256:[0-9a-f]{8})?\)")


def marker(value: str) -> str:
    """What is kept of a redacted value."""
    n = len(value)
    if n < _MIN_REVEAL:
        return f"…(redacted, {n} chars)"
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{value[:4]}…(redacted, {n} chars, sha256:{digest})"


def sensitive_key(key: str) -> bool:
    k = key.replace("_", "").replace("-", "")
    return bool(_SENSITIVE_KEY.search(k)) and not _IDENTIFIER_KEY.search(k) and "accesskeyid" not in k.lower()


@cache
def _scanner() -> Scanner:
    from mamori.gate.secrets.detectors import REGISTRY
    from mamori.gate.secrets.scanner import Scanner

    return Scanner([d for d in REGISTRY.values() if d.id not in IDENTIFIERS])


def secrets_in(texts: list[str]) -> dict[int, list[str]]:
    """Index of each text -> the secrets the gate's detectors find in it."""
    if not texts:
        return {}
    buf = "\n".join(t.replace("\r", " ").replace("\n", " ") for t in texts).encode("utf-8", "replace")
    found: dict[int, list[str]] = {}
    for m in _scanner().scan_bytes("cloudtrail-event.json", buf, generic=True).matches:
        secret = m.secret.text
        if secret:
            found.setdefault(m.line - 1, []).append(secret)
    return found


def _leaves(value: Any) -> Iterator[tuple[Any, Any, str, str]]:
    """(container, key or index, key name, text) of every string leaf; iterative."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, _ = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if isinstance(v, str):
                    yield item, k, str(k), v
                elif isinstance(v, dict | list):
                    stack.append((v, str(k)))
        elif isinstance(item, list):
            for i, v in enumerate(item):
                if isinstance(v, str):
                    yield item, i, "", v
                elif isinstance(v, dict | list):
                    stack.append((v, ""))


def redactions(value: Any) -> list[tuple[Any, Any, str]]:
    """(container, key or index, redacted text) for every credential in ``value``; changes nothing."""
    out: list[tuple[Any, Any, str]] = []
    pending: list[tuple[Any, Any, str, str]] = []
    for parent, k, name, text in _leaves(value):
        if _MARKER.fullmatch(text):
            continue  # already redacted
        if (name and sensitive_key(name) and text) or _PEM.search(text):
            out.append((parent, k, marker(text)))
        elif len(text) >= _MIN_SCAN:
            pending.append((parent, k, name, text))
    if pending:
        found = secrets_in([f"{name}: {text}" if name else text for _, _, name, text in pending])
        for i, secrets in found.items():
            parent, k, _, text = pending[i]
            new = text
            for s in sorted(set(secrets), key=len, reverse=True):
                new = new.replace(s, marker(s))
            if new != text:
                out.append((parent, k, new))
    return out


def redact_in_place(value: Any) -> int:
    """Redact every credential in ``value`` (dicts and lists, changed in place); returns how many."""
    found = redactions(value)
    for parent, k, new in found:
        parent[k] = new
    return len(found)


def redacted(value: Any) -> Any:
    """``value`` itself when it holds no credential, else a copy with them redacted."""
    if not isinstance(value, dict | list) or not redactions(value):
        return value
    from mamori.events.scrub import copy_json  # scrub imports this module

    out = copy_json(value)
    redact_in_place(out)
    return out


def redact_text(text: str, key: str = "") -> str:
    """One string with its credentials redacted."""
    box = {key or "value": text}
    redact_in_place(box)
    return str(box[key or "value"])
