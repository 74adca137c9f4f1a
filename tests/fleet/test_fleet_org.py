"""`mamori scan --org --broker`: the organization's accounts as shards on real workers (RabbitMQ, Redis,
a moto server seeded with the demo estate and its organization), organization-level rules included."""

from __future__ import annotations

import pytest

from mamori.demo.estate import DEMO_REGIONS
from tests.fleet.conftest import BIN, BROKER, REDIS, Fleet, same_scan

pytestmark = pytest.mark.e2e


def _org_cmd(fleet: Fleet, db: str, *extra: str) -> list[str]:
    return [str(BIN / "mamori"), "scan", "--org", "--endpoint-url", fleet.endpoint, "--regions", ",".join(DEMO_REGIONS),
            "--db", db, "-o", "json", "-q", *extra]  # fmt: skip


def _broker(fleet: Fleet) -> tuple[str, ...]:
    return ("--broker", BROKER, "--redis", REDIS, "--queue", fleet.queue, "--wait-timeout", "600")


def test_org_scan_on_workers_matches_the_single_machine_scan(fleet: Fleet) -> None:
    single = fleet.run(_org_cmd(fleet, fleet.db("single.db")))
    db = fleet.db("fleet.db")
    fleet.start_worker(db)
    fleet.start_worker(db)
    dist = fleet.run(_org_cmd(fleet, db, *_broker(fleet)))

    org = dist["fleet"]["organization"]
    assert sorted(org["scanned"]) == sorted(single["organization"]["scanned"])
    assert org["skipped"] == single["organization"]["skipped"] and org["skipped"]  # the closed demo account
    assert org["org_checks"] == "evaluated"
    assert dist["fleet"]["failed_shards"] == []
    # every finding, organization-level ones included: ids, scores, coverage, UNKNOWN scopes
    org_level = {f["id"] for f in single["findings"] if f["rule_id"].startswith("organizations_")}
    assert org_level, "the demo organization has organization-level findings"
    same_scan(single, dist)
    assert sorted(dist["changes"]["new"]) == sorted(single["changes"]["new"])


def test_a_finaliser_killed_mid_record_is_taken_over(fleet: Fleet) -> None:
    """The only worker's finaliser SIGKILLs itself after recording the lifecycle; its message is redelivered,
    waits for the lease (5 s) to lapse, and the takeover closes the scan: the same result, recorded once."""
    single = fleet.run(_org_cmd(fleet, fleet.db("single.db")))
    db = fleet.db("fleet.db")
    fleet.start_worker(db, MAMORI_FLEET_KILL_FINALISER="recorded", MAMORI_FLEET_LEASE_S="5")
    dist = fleet.run(_org_cmd(fleet, db, *_broker(fleet)))
    assert dist["fleet"]["finaliser_took_over"] is True
    same_scan(single, dist)
    assert sorted(dist["changes"]["new"]) == sorted(single["changes"]["new"])
    from mamori.findings import Store

    assert len(Store.open(db).scans()) == 1  # the lifecycle ran once
