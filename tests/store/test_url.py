"""The store's URL is resolved in one place: --db, then mamori.yaml's db:, then $MAMORI_DB, then the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.errors import InputError
from mamori.findings import Store
from mamori.store import DEFAULT_PATH, existing_store, store_url


def test_the_first_given_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_DB", "/env/m.db")
    assert store_url("/flag/m.db", "/config/m.db") == "sqlite:////flag/m.db"
    assert store_url(None, "/config/m.db") == "sqlite:////config/m.db"
    assert store_url(None, None) == "sqlite:////env/m.db"
    monkeypatch.delenv("MAMORI_DB")
    assert store_url() == f"sqlite:///{DEFAULT_PATH}"


def test_urls_pass_through_and_postgresql_gets_its_driver() -> None:
    assert store_url("sqlite:///x/y.db") == "sqlite:///x/y.db"
    assert store_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert store_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert store_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"  # Heroku-style URLs too


def test_resolving_creates_nothing_and_existing_store_says_whether_there_is_one(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "m.db"
    assert store_url(str(path)) == f"sqlite:///{path}" and not path.parent.exists()
    assert existing_store(str(path)) is None
    assert existing_store("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"  # a server: assumed there
    with pytest.raises(InputError, match="folder that does not exist"):
        Store.open(str(path))  # a typo in the folder: no empty store is created there
    assert not path.parent.exists()
    path.parent.mkdir()
    Store.open(str(path)).close()  # in a folder that exists, opening creates the file
    assert existing_store(str(path)) == f"sqlite:///{path}"
    assert existing_store(f"sqlite:///{path}") == f"sqlite:///{path}"


def test_open_prefers_the_flag_then_the_config_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_DB", str(tmp_path / "env.db"))
    Store.open(None, str(tmp_path / "config.db")).close()
    Store.open(str(tmp_path / "flag.db"), str(tmp_path / "config.db")).close()
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["config.db", "flag.db"]
