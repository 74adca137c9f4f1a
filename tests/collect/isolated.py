"""An in-process moto that starts empty even when another ``mock_aws`` is active.

``mock_aws()`` resets moto's backends only when it is the outermost mock; the demo's
session-scoped fixture keeps one active for the rest of a test session, so later tests
would see its estate. These tests empty the backends themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from moto import mock_aws


def _reset() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


@contextmanager
def isolated_aws() -> Iterator[None]:
    with mock_aws():
        _reset()
        try:
            yield
        finally:
            _reset()
