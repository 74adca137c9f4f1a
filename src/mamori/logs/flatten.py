"""A CloudTrail record as one flat row of the log store.

Records are attacker-controlled (anything that can call an AWS API writes CloudTrail), so
flattening never fails on a record the reader accepted and never produces a row the
store cannot take: ``requestParameters`` / ``responseElements`` of any depth are
serialized without recursion, a JSON field above :data:`MAX_JSON_CHARS` is replaced by
a marker object holding its size and a prefix, a text field above :data:`MAX_TEXT_CHARS`
is cut, and an ``eventTime`` that is not a timestamp is stored as NULL. Each repair is
described in ``notes`` so the ingest can report it with the file and the eventID.

Credentials in ``requestParameters``, ``responseElements`` and ``errorMessage`` (tokens,
passwords, secret keys, session tokens) are redacted before they reach the store, by the
same redactor as the events' evidence (:mod:`mamori.events.redact`); access key ids stay.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from mamori.events.record import principal_of
from mamori.events.redact import redact_text, redacted

COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("event_time", "TIMESTAMP"),
    ("event_source", "VARCHAR"),
    ("event_name", "VARCHAR"),
    ("aws_region", "VARCHAR"),
    ("source_ip", "VARCHAR"),
    ("user_agent", "VARCHAR"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("principal_arn", "VARCHAR"),
    ("principal_type", "VARCHAR"),
    ("access_key_id", "VARCHAR"),
    ("account", "VARCHAR"),
    ("user_name", "VARCHAR"),
    ("session_issuer", "VARCHAR"),
    ("invoked_by", "VARCHAR"),
    ("event_type", "VARCHAR"),
    ("read_only", "BOOLEAN"),
    ("request_parameters", "VARCHAR"),
    ("response_elements", "VARCHAR"),
    ("source_file", "VARCHAR"),
    # added later (ALTER TABLE ... ADD COLUMN on open): the Sigma retro-hunt reads them
    ("user_identity", "VARCHAR"),
    ("additional_event_data", "VARCHAR"),
)
NAMES = tuple(n for n, _ in COLUMNS)


MAX_JSON_CHARS = 1024 * 1024  # one JSON column; DuckDB reads at most 16 MiB per row
MAX_TEXT_CHARS = 64 * 1024  # one text column (user agents, error messages, ARNs)
_PREFIX_CHARS = 4096


def _scalar(v: Any) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return "null"  # as orjson writes it
    if v is None or isinstance(v, bool | int | float | str):
        return json.dumps(v, ensure_ascii=False)
    return json.dumps(str(v), ensure_ascii=False)


def dumps_deep(value: Any) -> str:
    """JSON text of any nesting depth, built with an explicit stack (orjson stops at 255 levels)."""
    out: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, value)]  # (is literal text, item)
    while stack:
        literal, item = stack.pop()
        if literal:
            out.append(item)
        elif isinstance(item, Mapping):
            parts: list[tuple[bool, Any]] = [(True, "{")]
            for i, (k, v) in enumerate(item.items()):
                parts += [(True, ("," if i else "") + json.dumps(str(k), ensure_ascii=False) + ":"), (False, v)]
            parts.append((True, "}"))
            stack.extend(reversed(parts))
        elif isinstance(item, list | tuple):
            parts = [(True, "[")]
            for i, v in enumerate(item):
                parts += [(True, ","), (False, v)] if i else [(False, v)]
            parts.append((True, "]"))
            stack.extend(reversed(parts))
        else:
            out.append(_scalar(item))
    return "".join(out)


def _json(v: Any, name: str, notes: list[str]) -> str | None:
    if v is None:
        return None
    try:
        text = orjson.dumps(v).decode()
    except orjson.JSONEncodeError:  # deeper than orjson's 255 levels, or keys it cannot write: stored in full
        text = dumps_deep(v)
    if len(text) > MAX_JSON_CHARS:
        notes.append(f"{name} is {len(text):,} characters; stored as a marker with its first {_PREFIX_CHARS:,}")
        return orjson.dumps({"mamori_truncated": True, "chars": len(text), "prefix": text[:_PREFIX_CHARS]}).decode()
    return text


def _str(v: Any, name: str = "", notes: list[str] | None = None) -> str | None:
    if not isinstance(v, str) or not v:
        return None
    if len(v) > MAX_TEXT_CHARS:
        if notes is not None:
            notes.append(f"{name} is {len(v):,} characters; cut to {MAX_TEXT_CHARS:,}")
        return v[:MAX_TEXT_CHARS]
    return v


def _redacted_str(v: Any, name: str, notes: list[str]) -> str | None:
    text = _str(v, name, notes)
    return redact_text(text, name) if text and len(text) >= 8 else text


def _cut(v: Any, name: str, notes: list[str]) -> Any:
    """A required value as it is, except that text above the cap is cut."""
    return _str(v, name, notes) if isinstance(v, str) and v else v


def _time(v: Any, notes: list[str]) -> str | None:
    text = _str(v, "eventTime", notes)
    if text is None:
        return None
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        notes.append(f"eventTime {text[:40]!r} is not a timestamp; stored without a time")
        return None
    return text


def flatten(rec: Mapping[str, Any], source_file: str = "", notes: list[str] | None = None) -> dict[str, Any]:
    """The row of one record; repairs (cut fields, a bad time) are appended to ``notes``."""
    n: list[str] = [] if notes is None else notes
    p = principal_of(rec)
    ui = rec.get("userIdentity") if isinstance(rec.get("userIdentity"), Mapping) else {}
    assert isinstance(ui, Mapping)
    ro = rec.get("readOnly")
    return {
        "event_id": _cut(rec["eventID"], "eventID", n),
        "event_time": _time(rec.get("eventTime"), n),
        "event_source": _cut(rec["eventSource"], "eventSource", n),
        "event_name": _cut(rec["eventName"], "eventName", n),
        "aws_region": _str(rec.get("awsRegion"), "awsRegion", n),
        "source_ip": _str(rec.get("sourceIPAddress"), "sourceIPAddress", n),
        "user_agent": _str(rec.get("userAgent"), "userAgent", n),
        "error_code": _str(rec.get("errorCode"), "errorCode", n),
        "error_message": _redacted_str(rec.get("errorMessage"), "errorMessage", n),
        "principal_arn": _cut(p.arn, "principal", n),
        "principal_type": p.type.value,
        "access_key_id": _str(p.access_key_id, "accessKeyId", n),
        "account": _str(rec.get("recipientAccountId"), "recipientAccountId", n) or _str(p.account, "account", n),
        "user_name": _str(ui.get("userName"), "userName", n) or _str(p.name, "userName", n),
        "session_issuer": _cut(p.arn, "principal", []) if p.session_name or p.type.value == "Role" else None,
        "invoked_by": _str(ui.get("invokedBy"), "invokedBy", n),
        "event_type": _str(rec.get("eventType"), "eventType", n),
        "read_only": ro if isinstance(ro, bool) else (ro == "true" if isinstance(ro, str) else None),
        "request_parameters": _json(redacted(rec.get("requestParameters")), "requestParameters", n),
        "response_elements": _json(redacted(rec.get("responseElements")), "responseElements", n),
        "source_file": source_file or None,
        "user_identity": _json(dict(ui), "userIdentity", n) if ui else None,
        "additional_event_data": _json(redacted(rec.get("additionalEventData")), "additionalEventData", n),
    }
