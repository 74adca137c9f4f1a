"""The secret-gate tests keep Hyperscan's compiled-database cache out of the user's home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _secrets_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("mamori-cache")
    mp.setenv("MAMORI_CACHE_DIR", str(path))
    yield path
    mp.undo()
