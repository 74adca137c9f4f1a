"""Where an image runs, for its risk: the exposure and impact factors of `mamori gate image`.

In this order: ``--exposure``/``--impact`` (the command line); else a snapshot given with
``--inventory`` (the image's digests looked up in it); else, by default, the store of the
last scan: the ``scan_workloads`` rows (`mamori scan` records, per scan, which ECS service or
Lambda function runs which image digest and how exposed it is) of the latest scan that saw
any. The image is known by its manifest digest (OCI layout), its config digest (the image id
of a ``docker save`` archive) and any ``--digest`` (the registry's digest, as ``docker
inspect`` prints it in ``RepoDigests``). Found nowhere: the conservative default (``open``),
marked as a default with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mamori.gate.deps.model import Notice, NoticeKind
from mamori.gate.deps.risk import (
    Context,
    Exposure,
    HumanImpact,
    RiskContext,
    context_from_inventory,
    context_from_workloads,
    find_by_image,
)


@dataclass(frozen=True)
class ExposureRequest:
    digests: tuple[str, ...]
    db: str | None = None
    inventory_path: Path | None = None
    exposure: str | None = None
    impact: str | None = None
    use_store: bool = True


def _from_snapshot(path: Path, digests: Sequence[str]) -> tuple[Context | None, Context | None]:
    from mamori.collect.snapshot import read_snapshot

    inv = read_snapshot(path)
    found = []
    for d in digests:
        found += [r for r in find_by_image(inv, d) if r not in found]
    return context_from_inventory(inv, found, path.name)


_LATEST = """SELECT id, finished_at, source FROM scans WHERE id IN (SELECT DISTINCT scan_id FROM scan_workloads)
ORDER BY finished_at DESC LIMIT 1"""


def latest_workloads(url: str, digests: Sequence[str]) -> tuple[str, datetime, str, list[dict[str, Any]]] | None:
    """(scan id, finished at, source, rows) of the latest scan that recorded workloads, rows for ``digests`` only.

    Reads ``scan_workloads`` (owned by ``mamori.findings.tables``) with plain SQL so that the
    gate does not import the scan store and its rule engine; writes and migrates nothing.
    """
    from sqlalchemy import bindparam, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from mamori.errors import StoreError
    from mamori.store.base import UTCDateTime
    from mamori.store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("scan_workloads"):
                return None
            latest = conn.execute(text(_LATEST).columns(finished_at=UTCDateTime())).first()
            if latest is None:
                return None
            query = text("SELECT * FROM scan_workloads WHERE scan_id = :scan AND digest IN :digests ORDER BY id")
            query = query.bindparams(bindparam("digests", expanding=True))
            rows = [dict(r) for r in conn.execute(query, {"scan": latest.id, "digests": list(digests)}).mappings()]
    except SQLAlchemyError as exc:
        raise StoreError(f"could not read the scans' workloads: {exc}") from exc
    finally:
        engine.dispose()
    for r in rows:  # JSON text on SQLite, already decoded on PostgreSQL
        if isinstance(r.get("tags"), str):
            r["tags"] = json.loads(r["tags"])
    return str(latest.id), latest.finished_at, str(latest.source), rows


def _from_store(db: str | None, digests: Sequence[str]) -> tuple[Context | None, Context | None, str]:
    """(exposure, impact, why unknown) from the latest scan in the store that recorded workloads."""
    from mamori.store.url import existing_store

    url = existing_store(db)
    if url is None:
        return None, None, "no store (no `mamori scan` recorded)"
    latest = latest_workloads(url, digests)
    if latest is None:
        return None, None, "no scan in the store recorded where images run (run `mamori scan`)"
    scan_id, finished_at, source, rows = latest
    date = finished_at.date().isoformat()
    label = f"scan {scan_id} ({source}, {date})"
    if not rows:
        return None, None, f"the image runs nowhere in the last scan's inventory: {label}"
    exposure, impact = context_from_workloads(rows, label, date)
    return exposure, impact, ""


def image_risk_context(req: ExposureRequest, base: RiskContext, notices: list[Notice]) -> RiskContext:
    """``base`` with the exposure and impact of where the image runs (or why that is unknown)."""
    digests = tuple(dict.fromkeys(d for d in req.digests if d))
    exposure = impact = None
    why = "no inventory" if req.use_store else "the store was not read"
    if req.inventory_path is not None:
        exposure, impact = _from_snapshot(req.inventory_path, digests)
        if exposure is None:
            why = f"image digests not running in the inventory {req.inventory_path.name}"
    elif req.use_store and digests:
        exposure, impact, why = _from_store(req.db, digests)
    if exposure is None and req.exposure is None:
        notices.append(Notice(NoticeKind.DATA, f"exposure unknown ({why}): 'open' is assumed"))
    if req.exposure is not None:
        exposure = Context(Exposure(req.exposure).value, "command line (--exposure)")
    if req.impact is not None:
        impact = Context(HumanImpact(req.impact).value, "command line (--impact)")
    note = (f"where this image runs is unknown ({why}); open assumed. Record a scan (`mamori scan`) "
            "of the estate that runs it, or give --inventory or --exposure")  # fmt: skip
    return RiskContext(kev=base.kev, epss=base.epss, epss_path=base.epss_path, exposure=exposure, impact=impact,
                       exposure_unknown=(why, note))  # fmt: skip
