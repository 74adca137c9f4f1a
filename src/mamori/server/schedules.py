"""Scheduled jobs inside ``mamori serve`` (filled in below the skeleton)."""

from __future__ import annotations

from typing import Any


class _Runner:
    async def stop(self) -> None:
        return None


def start_schedules(app: Any) -> _Runner:
    return _Runner()
