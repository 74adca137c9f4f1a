"""Which S3 object-level (data) events a trail's event selectors record.

Pure functions over GetEventSelectors' answer. Each selector that records S3 object
events becomes ``{read, write, all_buckets, buckets, exclude_buckets}``: whether it
records read and/or write events, for every bucket or for named buckets only, minus
excluded ones. Only selectors that cover *whole* buckets count: one narrowed to a key
prefix (``arn:aws:s3:::bucket/logs/``), to some event names or to some callers records
part of the activity, so it is left out (and a narrower exclusion excludes the bucket).
"""

from __future__ import annotations

import re
from typing import Any

S3_OBJECT = "AWS::S3::Object"
_ALL = re.compile(r"^arn:[^:]+:s3(:::)?$")
_BUCKET = re.compile(r"^arn:[^:]+:s3:::([^/]+)/?$")
_IN_BUCKET = re.compile(r"^arn:[^:]+:s3:::([^/]+)/.+$")


def _scope(values: list[str]) -> tuple[bool, list[str]]:
    """(all buckets?, whole buckets named) for the ARN values of a selector."""
    everything = any(_ALL.match(v) for v in values)
    buckets = sorted({m.group(1) for v in values if (m := _BUCKET.match(v))})
    return everything, buckets


def _basic(s: dict[str, Any]) -> list[dict[str, Any]]:
    rw = str(s.get("ReadWriteType", "All"))
    read, write = rw in ("All", "ReadOnly"), rw in ("All", "WriteOnly")
    out = []
    for dr in s.get("DataResources") or []:
        if dr.get("Type") != S3_OBJECT:
            continue
        everything, buckets = _scope([str(v) for v in dr.get("Values") or []])
        if everything or buckets:
            out.append({"read": read, "write": write, "all_buckets": everything, "buckets": buckets, "exclude_buckets": []})
    return out


def _advanced(s: dict[str, Any]) -> dict[str, Any] | None:
    fields = {str(f.get("Field", "")): f for f in s.get("FieldSelectors") or []}
    category = fields.pop("eventCategory", None)
    if category is None or "Data" not in (category.get("Equals") or []):
        return None
    rtype = fields.pop("resources.type", None)
    if rtype is None or S3_OBJECT not in (rtype.get("Equals") or []):
        return None
    read = write = True
    ro = fields.pop("readOnly", None)
    if ro is not None:
        values = {str(v).lower() for v in ro.get("Equals") or []}
        read, write = "true" in values, "false" in values
    everything: bool = True
    buckets: list[str] = []
    excluded: list[str] = []
    arn = fields.pop("resources.ARN", None)
    if arn is not None:
        included = [str(v) for v in (arn.get("StartsWith") or []) + (arn.get("Equals") or [])]
        if included:
            everything, buckets = _scope(included)
            if not everything and not buckets:
                return None
        negated = [str(v) for v in (arn.get("NotStartsWith") or []) + (arn.get("NotEquals") or [])]
        excluded = sorted({m.group(1) for v in negated if (m := _BUCKET.match(v) or _IN_BUCKET.match(v))})
        if arn.get("EndsWith") or arn.get("NotEndsWith"):
            return None
    if fields:  # narrowed by event name, caller, ...: records only part of the activity
        return None
    return {"read": read, "write": write, "all_buckets": everything, "buckets": buckets, "exclude_buckets": excluded}


def s3_data_events(basic: list[dict[str, Any]], advanced: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The selectors of a trail that record S3 object-level events for whole buckets."""
    out = [x for s in basic for x in _basic(s)]
    out += [x for s in advanced if (x := _advanced(s)) is not None]
    return out


def records(selectors: list[dict[str, Any]], bucket: str, kind: str) -> bool:
    """Whether any selector records ``kind`` ("read" or "write") object events of ``bucket``."""
    return any(
        s.get(kind) and (s.get("all_buckets") or bucket in s.get("buckets", [])) and bucket not in s.get("exclude_buckets", [])
        for s in selectors
    )
