"""Plan vs live: which open findings of the latest stored scan a Terraform plan fixes, which it adds.

A planned resource is matched to a live one by the identifiers the plan knows (``id``,
``arn``, ``bucket``, ``name``, ``function_name``, ``table`` names ...) against the stored
finding's resource id and ARN, for the same rule. A live FAIL whose resource the plan now
passes is *fixed*; a plan FAIL with no open live finding for that resource and rule is
*added*; one on both sides is *kept*.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.collect.iac.load import load_iac
from mamori.engine.evaluate import evaluate
from mamori.errors import InputError
from mamori.model.finding import FindingStatus, ResultStatus
from mamori.model.resource import Inventory

_ID_ATTRS = ("id", "arn", "bucket", "name", "function_name", "identifier", "table_name", "queue_url", "url")


def compare_with_live(path: Path, var_files: tuple[Path, ...], db: str | None) -> dict[str, Any]:
    from mamori.config.loader import load_config
    from mamori.findings.store import FindingFilter, Store
    from mamori.gate.iac.service import iac_rules

    store = Store.open(db, load_config(None).db)
    try:
        scans = store.scans(limit=1)
        if not scans:
            raise InputError(
                "--compare-live needs a scan in the store (`mamori scan` first)", source=str(db or "store")
            )
        live = [f for f in store.findings(FindingFilter()) if FindingStatus(f.status).is_open]
        scan_id = scans[0].id
    finally:
        store.close()
    now = datetime.now(UTC)
    adapted, _, _ = load_iac(path, list(var_files))
    rules = iac_rules()
    ev = evaluate(Inventory([a.resource for a in adapted], collected_at=now), rules, now=now)
    idents: dict[str, set[str]] = {}
    for a in adapted:
        ids = {
            str(a.raw.attrs.get(k))
            for k in _ID_ATTRS
            if isinstance(a.raw.attrs.get(k), str) and a.raw.attrs.get(k)
        }
        idents[a.resource.id] = ids
    live_by: dict[tuple[str, str, str], Any] = {}
    for f in live:
        for ident in (f.resource_id, f.resource_arn):
            if ident:
                live_by[(f.rule_id, f.resource_type, ident)] = f
    fixes: list[dict[str, Any]] = []
    adds: list[dict[str, Any]] = []
    keeps: list[dict[str, Any]] = []
    matched: set[str] = set()
    for r in ev.results:
        if r.status is ResultStatus.UNKNOWN:
            continue
        hit = next(
            (
                live_by[k]
                for i in idents.get(r.resource_id, ())
                if (k := (r.rule_id, r.resource_type, i)) in live_by
            ),
            None,
        )
        item = {"rule_id": r.rule_id, "address": r.resource_id}
        if hit is not None:
            matched.add(hit.id)
            item["live_resource"] = hit.resource_id
            (keeps if r.status is ResultStatus.FAIL else fixes).append(item)
        elif r.status is ResultStatus.FAIL:
            adds.append(item)
    return {"scan": scan_id, "fixes": fixes, "adds": adds, "keeps": keeps}
