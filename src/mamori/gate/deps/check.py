"""One gate run from start to finish: collect, match, decide, record.

``check`` is what ``mamori gate deps`` calls; every input that varies (the advisory
source, the policy, the KEV catalogue, "now", the store) is passed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from mamori.gate.deps.assess import Assessed, assess
from mamori.gate.deps.context import RunContext
from mamori.gate.deps.discover import Collection, collect
from mamori.gate.deps.evaluate import FirstSeen, evaluate
from mamori.gate.deps.history import Known, read_known, record_run, recording
from mamori.gate.deps.kev import KevCatalog
from mamori.gate.deps.model import DepsReport, Notice, NoticeKind, Package, PackageDecision
from mamori.gate.deps.osv.interface import AdvisorySource
from mamori.gate.deps.policy import Policy
from mamori.gate.deps.risk import RiskContext, attach_risk
from mamori.gate.deps.vex import VexIndex


@dataclass(frozen=True)
class CheckSettings:
    policy: Policy
    policy_source: str | None
    kev: KevCatalog | None
    context: RunContext
    now: datetime
    risk: RiskContext | None = None  # exposure, impact, EPSS; the KEV catalogue above is used when unset
    data_sources: tuple[tuple[str, str, str], ...] = ()  # (source, date, detail) printed in reports
    vex: VexIndex | None = None  # OpenVEX / CycloneDX VEX statements (--vex)


def audit_packages(
    packages: Sequence[Package],
    source: AdvisorySource,
    settings: CheckSettings,
    first_seen: FirstSeen = lambda p, v: None,
) -> tuple[list[PackageDecision], list[Notice]]:
    """Match, attach the risk decision, apply the policy (and VEX): the gate without lockfiles or a store.

    For packages found elsewhere (an image's OS and language packages). Returns one
    decision per distinct package, sorted as the report sorts them, and the notices.
    """
    items, match_notices = assess(packages, source)
    items = attach_risk(items, _risk(settings))
    decisions, policy_notices = evaluate(items, settings.policy, settings.kev, first_seen, settings.now,
                                         settings.vex)  # fmt: skip
    return decisions, [*match_notices, *policy_notices]


def _risk(settings: CheckSettings) -> RiskContext:
    risk = settings.risk or RiskContext()
    return dataclasses.replace(risk, kev=settings.kev) if risk.kev is None else risk


def build_report(
    collection: Collection,
    assessed: tuple[list[Assessed], list[Notice]],
    source: AdvisorySource,
    settings: CheckSettings,
    first_seen: FirstSeen,
    extra_notices: tuple[Notice, ...] = (),
) -> DepsReport:
    items, match_notices = assessed
    items = attach_risk(items, _risk(settings))
    if not collection.files:
        extra_notices = (
            *extra_notices,
            Notice(NoticeKind.DATA, "no lockfile or manifest found: nothing was audited"),
        )
    decisions, policy_notices = evaluate(items, settings.policy, settings.kev, first_seen, settings.now,
                                         settings.vex)  # fmt: skip
    ctx = settings.context
    return DepsReport(
        project=ctx.project,
        team=ctx.team,
        commit=ctx.commit,
        generated_at=settings.now,
        root=str(collection.root),
        data_source=source.description,
        policy_source=settings.policy_source,
        packages=tuple(decisions),
        notices=(*extra_notices, *collection.notices, *match_notices, *policy_notices),
        errors=tuple(str(e) for e in collection.errors),
        files=collection.files,
        data_sources=settings.data_sources,
    )


def check(
    root: Path,
    source: AdvisorySource,
    settings: CheckSettings,
    *,
    store: Engine | None = None,
    record: bool = True,
    extra_notices: tuple[Notice, ...] = (),
    allow_include: tuple[Path, ...] = (),
) -> tuple[DepsReport, str | None]:
    """(report, run id). With a store, first-seen dates come from it and, when ``record``, the run is stored.

    ``allow_include``: directories outside ``root`` that includes (``-r``/``-c``) may read.
    """
    collection = collect(root, allow_include=allow_include)
    assessed = assess(collection.packages, source)  # before the store's lock: it may go to the network
    if store is None:
        return build_report(collection, assessed, source, settings, lambda p, v: None, extra_notices), None
    if not record:
        known: Known = read_known(store, settings.context.project)
        return build_report(collection, assessed, source, settings, known.first_seen, extra_notices), None
    with recording(store, settings.context.project) as (known, conn):
        report = build_report(collection, assessed, source, settings, known.first_seen, extra_notices)
        run_id = record_run(conn, known, report, settings.now)
    return report, run_id
