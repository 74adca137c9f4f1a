"""Fixtures of the dependency-gate tests: the sample advisory source, a private index cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mamori.gate.deps.kev import sample_osv_dir
from mamori.gate.deps.osv.local import LocalOsvSource

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every test indexes into its own cache; no test touches ~/.cache or reads $MAMORI_OSV_DIR."""
    monkeypatch.setenv("MAMORI_CACHE", str(tmp_path_factory.mktemp("mamori-cache")))
    for var in ("MAMORI_OSV_DIR", "MAMORI_CACHE_DIR", "MAMORI_MAX_DATA_AGE", "MAMORI_TEAM", "GITHUB_SHA",
                "CI_COMMIT_SHA"):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture(scope="session")
def sample_source(tmp_path_factory: pytest.TempPathFactory) -> LocalOsvSource:
    return LocalOsvSource(sample_osv_dir(), cache=tmp_path_factory.mktemp("sample-index"))
