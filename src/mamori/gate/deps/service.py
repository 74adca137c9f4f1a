"""The dependency gate as one call: a request in, a report out (the CLI and a server call this).

The choices the gate makes before it checks anything live here, not in the CLI: which
advisory source (offline OSV data, the OSV API, the shipped samples), which policy and KEV
catalogue, which store (and none at all for ``record=False`` when no store exists yet).
Errors are mamori's own (`InputError` for unreadable inputs, `StoreError`, `OsvServiceError`);
nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.errors import InputError
from mamori.gate.deps.cache import DEFAULT_MAX_AGE_DAYS, CacheState, read_state, stale_message
from mamori.gate.deps.check import CheckSettings, check
from mamori.gate.deps.confine import allowed_roots, confine
from mamori.gate.deps.context import resolve_context
from mamori.gate.deps.errors import AdvisoryDataError, LockfileError, PolicyError
from mamori.gate.deps.history import open_store
from mamori.gate.deps.kev import KevCatalog, load_kev, sample_kev, sample_osv_dir
from mamori.gate.deps.model import DepsReport, Notice, NoticeKind
from mamori.gate.deps.osv.interface import AdvisorySource
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.policy import DEFAULT_POLICY, Policy, find_policy, load_policy
from mamori.gate.deps.risk import (
    Context,
    Exposure,
    HumanImpact,
    RiskContext,
    context_from_inventory,
    find_by_image,
    find_resources,
)
from mamori.gate.deps.stats import TeamStats, team_stats
from mamori.gate.deps.vex import load_vex
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
    # the advisory cache (`mamori db update`): used when no other source is given
    cache_dir: Path | None = None  # default: $MAMORI_CACHE_DIR, else the user cache directory
    max_data_age_days: float = DEFAULT_MAX_AGE_DAYS
    # risk context (docs/deps.md "How a decision is made")
    inventory_path: Path | None = None  # a mamori snapshot (`mamori collect -o`)
    runs_on: tuple[str, ...] = ()  # ARNs, ids, names or image digests of where this code runs
    exposure: str | None = None  # small | controlled | open: overrides the inventory
    impact: str | None = None  # low | medium | high | very high: overrides the tags
    vex_paths: tuple[Path, ...] = ()  # OpenVEX / CycloneDX VEX documents


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
    req: DepsRequest, policy: Policy, policy_file: Path | None, notices: list[Notice], cache: CacheState | None = None
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
    elif cache is not None and cache.kev_path is not None:
        kev = load_kev(cache.kev_path)
    else:
        kev = None
    if kev is None and policy.block.kev:
        raise PolicyError("block.kev is true but no KEV catalogue was given (block.kev_catalog or --kev)",
                          source=str(policy_file))  # fmt: skip
    if kev is None and policy.block.kev is None:
        notices.append(Notice(NoticeKind.DATA, "no KEV catalogue given (--kev): known-exploited CVEs are not "
                                               "blocked as such"))  # fmt: skip
    return kev


def open_cache(req: DepsRequest, notices: list[Notice], *, required: bool) -> CacheState | None:
    """The advisory cache; an error naming `mamori db update` when it is required and empty."""
    try:
        state = read_state(req.cache_dir)
    except AdvisoryDataError as exc:
        if required:
            raise
        notices.append(Notice(NoticeKind.DATA, f"the advisory cache is not readable, not used: {exc}"))
        return None
    if state.empty:
        if required:
            raise AdvisoryDataError(
                "the advisory cache is empty: run `mamori db update` to fill it (or `mamori db update --from DIR` "
                "offline), or give --osv-dir, --online or --sample-data",
                source=str(state.root),
            )
        return None
    stale = stale_message(state, req.now, req.max_data_age_days)
    if stale:
        notices.append(Notice(NoticeKind.DATA, stale))
    return state


def risk_context(req: DepsRequest, kev: KevCatalog | None, cache: CacheState | None,
                 notices: list[Notice]) -> RiskContext:  # fmt: skip
    """Exposure and impact from the inventory (or the command line), EPSS from the cache."""
    exposure = impact = None
    if req.inventory_path is not None:
        from mamori.collect.snapshot import read_snapshot

        inv = read_snapshot(req.inventory_path)
        found = find_resources(inv, req.runs_on)
        for ref in req.runs_on:
            if ref.startswith("sha256:"):
                found += [r for r in find_by_image(inv, ref) if r not in found]
        if not req.runs_on:
            notices.append(Notice(NoticeKind.DATA, "an inventory was given without --runs-on: where this code "
                                                   "runs is unknown, exposure 'open' is assumed"))  # fmt: skip
        elif not found:
            notices.append(Notice(NoticeKind.DATA, f"--runs-on {', '.join(req.runs_on)}: not in the inventory "
                                                   f"{req.inventory_path.name}; exposure 'open' is assumed"))  # fmt: skip
        exposure, impact = context_from_inventory(inv, found, req.inventory_path.name)
    if req.exposure is not None:
        exposure = Context(Exposure(req.exposure).value, "command line (--exposure)")
    if req.impact is not None:
        impact = Context(HumanImpact(req.impact).value, "command line (--impact)")
    epss_path = cache.epss_path if cache is not None else None
    return RiskContext(kev=kev, epss_path=epss_path, exposure=exposure, impact=impact)


@dataclass
class GateInputs:
    """Everything a run decides before it looks at a lockfile: the advisory source and the settings."""

    source: AdvisorySource
    settings: CheckSettings
    notices: list[Notice]


@contextmanager
def gate_inputs(req: DepsRequest) -> Iterator[GateInputs]:
    """The advisory source (cache, OSV directory, API or samples), policy, KEV, risk context and VEX of ``req``.

    For callers that audit packages of their own (an image's): ``with gate_inputs(req) as g:
    audit_packages(packages, g.source, g.settings)``. ``req.path`` locates the policy file
    and names the project. The HTTP client of ``--online`` is closed on exit.
    """
    chosen = sum(bool(x) for x in (req.osv_dir, req.online, req.sample_data))
    if chosen > 1:
        raise InputError("give one advisory source: an OSV directory, the online API, or the sample data")
    if not req.path.exists():
        raise LockfileError("no such file or directory", source=str(req.path))
    policy_file = req.policy_path or find_policy(req.path)
    policy = load_policy(policy_file) if policy_file else DEFAULT_POLICY
    notices: list[Notice] = []
    cache = None if req.sample_data else open_cache(req, notices, required=chosen == 0)
    kev = _kev(req, policy, policy_file, notices, cache)
    context = resolve_context(req.path, project=req.project, team=req.team, commit=req.commit,
                              policy_project=policy.project, policy_team=policy.team)  # fmt: skip
    risk = risk_context(req, kev, cache, notices)
    dates = tuple((s.key, s.date, s.detail) for s in cache.sources) if cache is not None else ()
    vex = load_vex(req.vex_paths) if req.vex_paths else None
    settings = CheckSettings(policy, str(policy_file) if policy_file else None, kev, context, req.now,
                             risk, dates, vex)  # fmt: skip
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
        elif req.osv_dir is not None:
            source = LocalOsvSource(req.osv_dir)
        else:
            assert cache is not None and cache.osv_dir is not None
            source = LocalOsvSource(cache.osv_dir, index_path=cache.root / "osv-index-cache.sqlite",
                                    label=f"mamori advisory cache {cache.root}")  # fmt: skip
        yield GateInputs(source, settings, notices)
    finally:
        if client is not None:
            client.close()


def run_gate(req: DepsRequest) -> DepsResult:
    """Check the dependencies under ``req.path``: collect, match, decide and (unless told not to) record.

    Advisory source: ``osv_dir``, ``online`` or ``sample_data`` (at most one); none of them:
    the advisory cache that `mamori db update` fills (an error when it is empty).
    """
    with gate_inputs(req) as g:
        store: Engine | None
        if req.record:
            store = open_store(req.db)
        else:
            url = existing_store(req.db)
            store = make_engine(url) if url else None
        try:
            report, run_id = check(
                req.path,
                g.source,
                g.settings,
                store=store,
                record=req.record,
                extra_notices=tuple(g.notices),
                allow_include=req.allow_include,
            )
        finally:
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
