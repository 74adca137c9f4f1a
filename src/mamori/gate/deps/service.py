"""The dependency gate as one call: a request in, a report out (the CLI and a server call this).

The choices the gate makes before it checks anything live here, not in the CLI: which
advisory source (offline OSV data, the OSV API, the shipped samples), which policy and KEV
catalogue, which store (and none at all for ``record=False`` when no store exists yet).
Errors are mamori's own (`InputError` for unreadable inputs, `StoreError`, `OsvServiceError`);
nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.errors import InputError
from mamori.gate.deps.check import CheckSettings, check
from mamori.gate.deps.confine import allowed_roots, confine
from mamori.gate.deps.context import resolve_context
from mamori.gate.deps.errors import LockfileError, PolicyError
from mamori.gate.deps.history import open_store
from mamori.gate.deps.kev import KevCatalog, load_kev, sample_kev, sample_osv_dir
from mamori.gate.deps.model import DepsReport, Notice, NoticeKind
from mamori.gate.deps.osv.interface import AdvisorySource
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.policy import DEFAULT_POLICY, Policy, find_policy, load_policy
from mamori.gate.deps.stats import TeamStats, team_stats
from mamori.store.db import make_engine
from mamori.store.url import existing_store

if TYPE_CHECKING:
    from sqlalchemy import Engine

OSV_API = "https://api.osv.dev"
SAMPLE_LABEL = "shipped SAMPLE advisories (not a vulnerability database)"


@dataclass(frozen=True)
class DepsRequest:
    """One `mamori gate deps` run. Exactly one advisory source: ``osv_dir``, ``online`` or ``sample_data``."""

    path: Path
    now: datetime
    osv_dir: Path | None = None
    online: bool = False
    sample_data: bool = False
    osv_api: str = OSV_API
    osv_transport: Any = None  # an httpx transport for --online (tests mock the API with it)
    policy_path: Path | None = None
    kev_path: Path | None = None
    project: str | None = None
    team: str | None = None
    commit: str | None = None
    db: str | None = None
    record: bool = True
    allow_include: tuple[Path, ...] = ()  # directories outside `path` that includes may read


@dataclass(frozen=True)
class DepsResult:
    report: DepsReport
    run_id: str | None  # None when the run was not recorded


@dataclass(frozen=True)
class StatsRequest:
    now: datetime
    since: datetime | None = None
    team: str | None = None
    project: str | None = None
    db: str | None = None


def _kev(
    req: DepsRequest, policy: Policy, policy_file: Path | None, notices: list[Notice]
) -> KevCatalog | None:
    if req.kev_path is not None:
        kev: KevCatalog | None = load_kev(req.kev_path)
    elif policy.block.kev_catalog and policy_file is not None:
        kev_file = policy_file.parent / policy.block.kev_catalog
        if req.policy_path is None:  # the policy came from the scanned repository: it may not read outside it
            root = req.path.resolve()
            with allowed_roots(req.allow_include):
                kev_file = confine(policy.block.kev_catalog, policy_file.parent,
                                   root if root.is_dir() else root.parent,
                                   source=str(policy_file), where="block.kev_catalog", show=True)  # fmt: skip
        kev = load_kev(kev_file)
    elif req.sample_data:
        kev = sample_kev()
    else:
        kev = None
    if kev is None and policy.block.kev:
        raise PolicyError("block.kev is true but no KEV catalogue was given (block.kev_catalog or --kev)",
                          source=str(policy_file))  # fmt: skip
    if kev is None and policy.block.kev is None:
        notices.append(Notice(NoticeKind.DATA, "no KEV catalogue given (--kev): known-exploited CVEs are not "
                                               "blocked as such"))  # fmt: skip
    return kev


def run_gate(req: DepsRequest) -> DepsResult:
    """Check the dependencies under ``req.path``: collect, match, decide and (unless told not to) record."""
    if sum(bool(x) for x in (req.osv_dir, req.online, req.sample_data)) != 1:
        raise InputError("give one advisory source: an OSV directory, the online API, or the sample data")
    if not req.path.exists():
        raise LockfileError("no such file or directory", source=str(req.path))
    policy_file = req.policy_path or find_policy(req.path)
    policy = load_policy(policy_file) if policy_file else DEFAULT_POLICY
    notices: list[Notice] = []
    kev = _kev(req, policy, policy_file, notices)
    context = resolve_context(req.path, project=req.project, team=req.team, commit=req.commit,
                              policy_project=policy.project, policy_team=policy.team)  # fmt: skip
    settings = CheckSettings(policy, str(policy_file) if policy_file else None, kev, context, req.now)
    store: Engine | None
    if req.record:
        store = open_store(req.db)
    else:
        url = existing_store(req.db)
        store = make_engine(url) if url else None
    client = None
    try:
        source: AdvisorySource
        if req.online:
            import httpx  # only the online source needs it

            from mamori import __version__
            from mamori.gate.deps.osv.online import OnlineOsvSource

            client = httpx.Client(
                transport=req.osv_transport,
                timeout=httpx.Timeout(30.0),
                headers={"User-Agent": f"mamori/{__version__}"},
            )
            source = OnlineOsvSource(client, base_url=req.osv_api)
        elif req.sample_data:
            source = LocalOsvSource(sample_osv_dir(), label=SAMPLE_LABEL)
            notices.append(
                Notice(NoticeKind.DATA, "using the shipped sample advisories: for demos and tests only")
            )
        else:
            assert req.osv_dir is not None
            source = LocalOsvSource(req.osv_dir)
        report, run_id = check(
            req.path,
            source,
            settings,
            store=store,
            record=req.record,
            extra_notices=tuple(notices),
            allow_include=req.allow_include,
        )
    finally:
        if client is not None:
            client.close()
        if store is not None:
            store.dispose()
    return DepsResult(report, run_id)


def gate_stats(req: StatsRequest) -> list[TeamStats]:
    """How often each team's pipeline was blocked and why, from the recorded runs."""
    engine = open_store(req.db)
    try:
        return team_stats(engine, req.now, since=req.since, team=req.team, project=req.project)
    finally:
        engine.dispose()
