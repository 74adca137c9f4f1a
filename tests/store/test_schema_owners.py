"""Every table has one owner, all on one MetaData, and the migrations produce exactly that schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mamori.findings import Store
from mamori.schema import OWNERS, metadata


def test_autogenerate_finds_no_difference_between_migrations_and_models(store: Store) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_every_table_is_defined_by_exactly_one_owner_module() -> None:
    owners: dict[str, list[str]] = {name: [] for name in metadata.tables}
    for module in OWNERS:
        for value in vars(module).values():
            if getattr(value, "metadata", None) is metadata and getattr(value, "name", None) in owners:
                owners[value.name].append(module.__name__)
    assert {name: mods for name, mods in owners.items() if len(mods) != 1} == {}
    assert owners["findings"] == ["mamori.findings.tables"]
    assert owners["hub_deliveries"] == ["mamori.hub.tables"]
    assert owners["audit_log"] == ["mamori.audit.tables"]
    assert owners["std_attestations"] == ["mamori.standards.tables"]
