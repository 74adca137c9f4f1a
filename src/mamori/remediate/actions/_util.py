"""Small helpers shared by the actions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")


def or_absent(fn: Callable[[], T], codes: Iterable[str], absent: Any = None) -> T | Any:
    """``fn()``, or ``absent`` when AWS answers with one of ``codes`` (e.g. "no such configuration")."""
    try:
        return fn()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in set(codes):
            return absent
        raise


def strip_meta(resp: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}
