"""The hub's services: opening the hub applies the suppressions file; the findings query adds owner and SLA."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mamori.config.hub import OwnersConfig, SlaConfig
from mamori.errors import ConfigError
from mamori.findings import FindingFilter
from mamori.hub.query import OPEN, FindingsQuery, query_findings, statuses_named
from mamori.hub.sync import HubRequest, open_hub
from mamori.model import FindingStatus, Inventory, Resource
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import run_scan
from tests.hub.test_hub_suppressions_store import ACCT, DAY1, RULE  # the same custom rule and day

OTHER = "444455556666"
SUPPRESSIONS = """\
version: 1
suppressions:
  - id: ci-logs-public
    rule: test_bucket_public
    resource: ci-logs
    reason: public by design
    approver: alice@example.com
    expires: 2030-12-31
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test_bucket_public.yaml").write_text(RULE)
    return load_rules([d], builtin=False)


def estate() -> Inventory:
    res = [
        Resource("aws", acct, "us-east-1", "aws.s3.bucket", b, arn=f"arn:aws:s3:::{b}", properties={"policy_public": True})
        for acct, b in ((ACCT, "ci-logs"), (ACCT, "data"), (OTHER, "media"))
    ]
    inv = Inventory(res, collected_at=DAY1)
    for acct in (ACCT, OTHER):
        inv.cover(acct, "us-east-1", ["aws.s3.bucket"])
    return inv


def test_opening_the_hub_syncs_the_suppressions_file(tmp_path: Path, rules: RuleSet) -> None:
    db = str(tmp_path / "hub.db")
    store, first = open_hub(HubRequest(db))
    assert first.file is None and first.as_dict() == {"reopened": []}
    run_scan(estate(), rules, store=store, now=DAY1)
    supp = tmp_path / "mamori-suppressions.yaml"
    supp.write_text(SUPPRESSIONS)
    store, synced = open_hub(HubRequest(db, supp, actor="test"))
    assert synced.file == str(supp) and synced.added == ("ci-logs-public",) and len(synced.suppressed) == 1
    assert list(synced.as_dict()) == ["added", "removed", "suppressed", "reopened", "file", "expired_entries"]
    status = {f.resource_id: f.status for f in store.findings(FindingFilter(statuses=()))}
    assert status["ci-logs"] is FindingStatus.SUPPRESSED and status["data"] is FindingStatus.NEW
    _, again = open_hub(HubRequest(db, supp))
    assert again.added == () and again.suppressed == (), "an unchanged file changes nothing"


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        open_hub(HubRequest(str(tmp_path / "hub.db"), tmp_path / "missing.yaml", required=True))
    _, res = open_hub(HubRequest(str(tmp_path / "hub.db"), tmp_path / "missing.yaml"))
    assert res.file is None, "a configured file that does not exist yet is no file"


def test_owner_and_overdue_filter_before_the_limit(tmp_path: Path, rules: RuleSet) -> None:
    store, _ = open_hub(HubRequest(str(tmp_path / "hub.db")))
    run_scan(estate(), rules, store=store, now=DAY1)
    owners = OwnersConfig.model_validate({"default": "security", "accounts": {OTHER: "media-team"}})
    sla = SlaConfig.model_validate({"high": 30})
    later = DAY1 + timedelta(days=31)
    everything = query_findings(store, FindingsQuery(), owners, sla, now=DAY1)
    assert len(everything) == 3 and not any(h.overdue for h in everything)
    media = query_findings(store, FindingsQuery(FindingFilter(statuses=OPEN, limit=1), ("media-team",)), owners, sla, later)
    assert [(h.finding.resource_id, h.owner, h.overdue) for h in media] == [("media", "media-team", True)]
    overdue = query_findings(store, FindingsQuery(FindingFilter(statuses=OPEN, limit=2), overdue=True), owners, sla, later)
    assert len(overdue) == 2 and all(h.overdue for h in overdue)
    assert query_findings(store, FindingsQuery(overdue=True), owners, sla, now=DAY1) == []


def test_status_names() -> None:
    assert statuses_named("open") == OPEN and statuses_named("ALL") == ()
    assert statuses_named("suppressed") == (FindingStatus.SUPPRESSED,)
