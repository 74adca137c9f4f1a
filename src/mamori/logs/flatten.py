"""A CloudTrail record as one flat row of the log store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from mamori.events.record import principal_of

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
)
NAMES = tuple(n for n, _ in COLUMNS)


def _json(v: Any) -> str | None:
    if v is None:
        return None
    return orjson.dumps(v).decode()


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def flatten(rec: Mapping[str, Any], source_file: str = "") -> dict[str, Any]:
    p = principal_of(rec)
    ui = rec.get("userIdentity") if isinstance(rec.get("userIdentity"), Mapping) else {}
    assert isinstance(ui, Mapping)
    ro = rec.get("readOnly")
    return {
        "event_id": rec["eventID"],
        "event_time": _str(rec.get("eventTime")),
        "event_source": rec["eventSource"],
        "event_name": rec["eventName"],
        "aws_region": _str(rec.get("awsRegion")),
        "source_ip": _str(rec.get("sourceIPAddress")),
        "user_agent": _str(rec.get("userAgent")),
        "error_code": _str(rec.get("errorCode")),
        "error_message": _str(rec.get("errorMessage")),
        "principal_arn": p.arn,
        "principal_type": p.type.value,
        "access_key_id": p.access_key_id or None,
        "account": _str(rec.get("recipientAccountId")) or p.account or None,
        "user_name": _str(ui.get("userName")) or (p.name or None),
        "session_issuer": p.arn if p.session_name or p.type.value == "Role" else None,
        "invoked_by": _str(ui.get("invokedBy")),
        "event_type": _str(rec.get("eventType")),
        "read_only": ro if isinstance(ro, bool) else (ro == "true" if isinstance(ro, str) else None),
        "request_parameters": _json(rec.get("requestParameters")),
        "response_elements": _json(rec.get("responseElements")),
        "source_file": source_file or None,
    }
