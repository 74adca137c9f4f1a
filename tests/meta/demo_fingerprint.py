"""The demo estate's scan reduced to what must never change in a refactor.

``fingerprint()`` seeds moto's random generator (so resource ids such as ``sg-...`` are the
same on every run), seeds the demo estate in-process, collects both accounts, evaluates every
built-in rule and records the scan in a fresh SQLite store. What comes out — every result's
finding id, rule and status, the stored findings, the scores and the coverage rows — is
compared with ``demo_fingerprint.json``, written before the architecture refactor.

Regenerate (only when behaviour is *meant* to change, and say so in the commit):
    python -m tests.meta.demo_fingerprint > tests/meta/demo_fingerprint.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.moto_api._internal import mock_random

from mamori.collect.aws.runner import collect_aws
from mamori.collect.aws.session import AwsTarget
from mamori.demo.estate import DEMO_REGIONS, DEV_ACCOUNT, SeedEnv, assume, fake_credentials, seed_estate
from mamori.findings import Store
from mamori.model import Inventory
from mamori.rules import load_rules
from mamori.scan.service import run_scan

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def fingerprint() -> dict[str, Any]:
    mock_random.seed(20261201)
    with fake_credentials(), mock_aws():
        session = boto3.Session(region_name=DEMO_REGIONS[0])
        seed_estate(SeedEnv(session=session, endpoint_url=None))
        target = AwsTarget(regions=DEMO_REGIONS, home_region="us-east-1")
        prod = collect_aws(target, session_factory=lambda: boto3.Session(region_name="us-east-1"))
        dev = collect_aws(target, session_factory=lambda: assume(session, DEV_ACCOUNT, None))
    inv = Inventory(collected_at=NOW, source="demo")
    inv.merge(prod.inventory)
    inv.merge(dev.inventory)
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'golden.db'}")
        out = run_scan(inv, rules, store=store, started_at=NOW, now=NOW)
        stored = sorted((f.id, f.rule_id, f.status.value, f.severity.value) for f in store.findings())
        store.close()
    results = sorted((r.finding_id, r.rule_id, r.status.value, r.resource_type, r.resource_id) for r in out.evaluation.results)
    return {
        "resources": len(list(inv)),
        "rules_evaluated": sorted(out.evaluation.rules_evaluated),
        "results": [list(r) for r in results],
        "findings": [list(f) for f in stored],
        "scores": sorted([asdict(s) for s in out.scores], key=lambda d: (d["standard"], d["account"], d["category"])),
        "coverage": sorted([asdict(c) for c in out.coverage], key=lambda d: (d["standard"], d["account"], d["category"])),
    }


if __name__ == "__main__":
    json.dump(fingerprint(), sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")
