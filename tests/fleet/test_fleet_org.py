"""`mamori scan --org --broker`: the organization's accounts as shards on real workers (RabbitMQ, Redis,
a moto server seeded with the demo estate and its organization)."""

from __future__ import annotations

import pytest

from mamori.demo.estate import DEMO_REGIONS
from tests.fleet.conftest import BIN, BROKER, REDIS, Fleet

pytestmark = pytest.mark.e2e


def _org_cmd(fleet: Fleet, db: str, *extra: str) -> list[str]:
    return [str(BIN / "mamori"), "scan", "--org", "--endpoint-url", fleet.endpoint, "--regions", ",".join(DEMO_REGIONS),
            "--db", db, "-o", "json", "-q", *extra]  # fmt: skip


def _view(doc: dict) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["resource"]["account"], f["resource"]["id"]) for f in doc["findings"]}


def test_org_scan_on_workers_matches_the_single_machine_scan(fleet: Fleet) -> None:
    single = fleet.run(_org_cmd(fleet, fleet.db("single.db")))
    db = fleet.db("fleet.db")
    fleet.start_worker(db)
    fleet.start_worker(db)
    dist = fleet.run(_org_cmd(fleet, db, "--broker", BROKER, "--redis", REDIS, "--queue", fleet.queue, "--wait-timeout", "600"))

    org = dist["fleet"]["organization"]
    assert sorted(org["scanned"]) == sorted(single["organization"]["scanned"])
    assert org["skipped"] == single["organization"]["skipped"] and org["skipped"]  # the closed demo account
    assert org["org_checks"] == "single-machine mode only"
    assert dist["fleet"]["failed_shards"] == []
    # every account-level finding is the same; the organization-level rules run only on one machine
    account_level = {v for v in _view(single) if not v[0].startswith("organizations_")}
    assert _view(dist) == account_level
    assert not any(f["rule_id"].startswith("organizations_") for f in dist["findings"])
