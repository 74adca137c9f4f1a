"""`mamori gate image` as one call: an image in, a report out (nothing here prints).

The image is read in memory (``archive``, ``layers``), its packages listed (``inventory``)
and matched with the dependency gate's own matcher, alias merging, upgrade targets and
policy (``mamori.gate.deps.assess`` and ``evaluate``): an OS package is looked up under the
name its distribution's advisories use (Debian's and Alpine's source package), and only
the advisories' entries for the image's release count (``DistroSource``). Every layer's
files go through the secret scanner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from mamori.errors import InputError
from mamori.gate.deps.assess import Assessed, assess
from mamori.gate.deps.cache import CacheState, read_state, stale_message
from mamori.gate.deps.check import CheckSettings, build_report
from mamori.gate.deps.context import RunContext
from mamori.gate.deps.discover import Collection
from mamori.gate.deps.errors import AdvisoryDataError, LockfileError
from mamori.gate.deps.kev import KevCatalog, load_kev, sample_kev, sample_osv_dir
from mamori.gate.deps.model import OS_ECOSYSTEMS, DepsReport, Notice, NoticeKind, Package
from mamori.gate.deps.osv.interface import AdvisorySource, PackageKey
from mamori.gate.deps.osv.local import LocalOsvSource
from mamori.gate.deps.osv.record import Advisory
from mamori.gate.deps.policy import DEFAULT_POLICY, load_policy
from mamori.gate.deps.risk import RiskContext
from mamori.gate.image.archive import open_image
from mamori.gate.image.context import ExposureRequest, image_risk_context
from mamori.gate.image.distro import Distro
from mamori.gate.image.inventory import is_os_db, keep, take_inventory
from mamori.gate.image.layers import walk_image
from mamori.gate.image.limits import DEFAULT_LIMITS, Limits
from mamori.gate.image.model import ImageReport, ImageSecret, LayerInfo, PackageResult
from mamori.gate.image.secrets import layer_scanner, mark_removed

SAMPLE_LABEL = "shipped SAMPLE advisories (not a vulnerability database)"


@dataclass(frozen=True)
class ImageRequest:
    """One `mamori gate image` run. Advisories: ``osv_dir``, ``sample_data``, or (neither) the advisory cache."""

    path: Path
    now: datetime
    osv_dir: Path | None = None
    sample_data: bool = False
    policy_path: Path | None = None
    kev_path: Path | None = None
    secrets: bool = True
    limits: Limits = DEFAULT_LIMITS
    cache_dir: Path | None = None  # the advisory cache (`mamori db update`); default: the user cache directory
    max_data_age_days: float = 7.0
    # where it runs (exposure, impact): the store's last scan by default (mamori.gate.image.context)
    digests: tuple[str, ...] = ()  # registry digests besides the archive's own (``--digest``)
    inventory_path: Path | None = None
    exposure: str | None = None
    impact: str | None = None
    # the store: first-seen dates (the FIX BY clock) per image, and this run's record
    db: str | None = None
    record: bool = True
    project: str | None = None  # the history key; default ``image:<repository>`` from the tag or file name
    use_store: bool = False  # read and write the store (the CLI's default; ``--no-store`` turns it off)
    # secrets: .mamori-secrets.yaml / .gitleaks.toml (allowlist, baseline, custom detectors)
    secrets_config: Path | None = None
    secrets_config_dir: Path | None = None  # where to look for them; default: the current directory


class DistroSource:
    """An advisory source narrowed to one distribution release.

    The OSV index files "Debian:12" entries under Debian; this keeps, of each advisory, only
    the affected entries of the image's release (renamed to the bare distribution, which is
    how the packages are spelled), so the dependency gate's matcher compares the right ranges.
    """

    def __init__(self, inner: AdvisorySource, distro: Distro | None) -> None:
        self.inner = inner
        self.distro = distro
        self.description = inner.description
        self.authoritative = inner.authoritative

    def _narrow(self, adv: Advisory) -> Advisory | None:
        assert self.distro is not None
        base = self.distro.ecosystem.value
        mine = tuple(replace(a, ecosystem=base) for a in adv.affected if self.distro.covers(a.ecosystem))
        return replace(adv, affected=mine) if mine else None

    def advisories_for(self, packages: Sequence[Package]) -> dict[PackageKey, list[Advisory]]:
        found = self.inner.advisories_for(packages)
        out: dict[PackageKey, list[Advisory]] = {}
        for key, advs in found.items():
            if key[0] not in OS_ECOSYSTEMS:
                out[key] = advs
            elif self.distro is not None and key[0] is self.distro.ecosystem:
                out[key] = [n for a in advs if (n := self._narrow(a)) is not None]
            else:
                out[key] = []
        return out


def _kev(req: ImageRequest, notices: list[Notice], cache: CacheState | None = None) -> KevCatalog | None:
    if req.kev_path is not None:
        return load_kev(req.kev_path)
    if req.sample_data:
        return sample_kev()
    if cache is not None and cache.kev_path is not None:
        return load_kev(cache.kev_path)
    notices.append(Notice(NoticeKind.DATA, "no KEV catalogue given (--kev): known-exploited CVEs are not "
                                           "blocked as such"))  # fmt: skip
    return None


def run_image_gate(req: ImageRequest) -> ImageReport:
    if req.osv_dir and req.sample_data:
        raise InputError("give one advisory source: an OSV directory, the sample data, or neither (the cache)")
    policy = load_policy(req.policy_path) if req.policy_path else DEFAULT_POLICY
    notices: list[Notice] = []
    cache = None
    if not req.osv_dir and not req.sample_data:  # the advisory cache, as `gate deps` reads it
        cache = read_state(req.cache_dir)
        if cache.empty:
            raise AdvisoryDataError("the advisory cache is empty: run `mamori db update` to fill it, or give "
                                    "--osv-dir or --sample-data", source=str(cache.root))  # fmt: skip
        stale = stale_message(cache, req.now, req.max_data_age_days)
        if stale:
            notices.append(Notice(NoticeKind.DATA, stale))
    kev = _kev(req, notices, cache)
    if cache is not None:
        assert cache.osv_dir is not None
        inner: AdvisorySource = LocalOsvSource(cache.osv_dir, index_path=cache.root / "osv-index-cache.sqlite",
                                               label=f"mamori advisory cache {cache.root}")  # fmt: skip
    elif req.sample_data:
        inner = LocalOsvSource(sample_osv_dir(), label=SAMPLE_LABEL)
        notices.append(
            Notice(NoticeKind.DATA, "using the shipped sample advisories: for demos and tests only")
        )
    else:
        assert req.osv_dir is not None
        inner = LocalOsvSource(req.osv_dir)
    scanner = layer_scanner(req.secrets_config, req.secrets_config_dir or Path.cwd(), req.now.date()) \
        if req.secrets else None  # fmt: skip
    with open_image(req.path, req.limits) as image:
        walk = walk_image(image, req.limits, keep, is_os_db, scanner)
    inv = take_inventory(walk, req.limits)
    source = DistroSource(inner, inv.distro)
    # the dependency gate's own report builder: its policy, and whatever it adds to each decision
    collection = Collection(req.path, tuple(inv.files), tuple(p.lookup for p in inv.packages), (),
                            tuple(LockfileError(e) for e in inv.errors))  # fmt: skip
    where = ExposureRequest((image.digest or "", image.config_digest or "", *req.digests), req.db,
                            req.inventory_path, req.exposure, req.impact, req.use_store)  # fmt: skip
    risk = image_risk_context(where, RiskContext(kev=kev, epss_path=cache.epss_path if cache else None), notices)
    dates = tuple((s.key, s.date, s.detail) for s in cache.sources) if cache is not None else ()
    project = req.project or history_key(image.tags, req.path)
    settings = CheckSettings(policy, str(req.policy_path) if req.policy_path else None, kev,
                             RunContext(project, "", None), req.now, risk, dates)  # fmt: skip
    deps_report, run_id = _decide(req, collection, assess(collection.packages, source), source, settings,
                                  tuple(notices))  # fmt: skip
    decisions = deps_report.packages
    by_key = {(d.package.ecosystem, d.package.lookup_name, d.package.version): d for d in decisions}
    results = []
    for ip in inv.packages:
        lk = ip.lookup
        results.append(PackageResult(ip, by_key[(lk.ecosystem, lk.lookup_name, lk.version)]))
    order = {"BLOCK": 0, "FIX_BY": 1, "UNPINNED": 2, "PASS": 3}
    results.sort(key=lambda r: (order[r.decision.verdict.value], 0 if r.decision.vulns else 1,
                                r.package.ecosystem.value, r.package.name, r.package.version))  # fmt: skip
    secrets: list[ImageSecret] = []
    suppressed: list[tuple[ImageSecret, str, str]] = []
    expired: list[str] = []
    if scanner is not None:
        final = {p: e.layer for p, e in walk.fs.entries.items()}
        secrets = mark_removed(scanner.found, walk.deleted, final)
        secrets, suppressed, expired = scanner.partition(secrets)
    stats = {"layers": len(image.layers), "entries": walk.entries, "bytes_read": walk.bytes_read,
             "secret_scanned_files": scanner.files if scanner else 0, "not_secret_scanned_large_files": walk.not_scanned}  # fmt: skip
    return ImageReport(
        source=str(req.path), format=image.format, digest=image.digest, config_digest=image.config_digest,
        tags=image.tags, platform=image.platform, os=inv.os, osv_ecosystem=inv.distro.release if inv.distro else None,
        layers=tuple(LayerInfo(r.index, r.digest, r.created_by) for r in image.layers),
        packages=tuple(results), secrets=tuple(secrets), deps=deps_report,
        notices=(*image.notes, *walk.notices, *inv.notices, *(str(n) for n in deps_report.notices),
                 *(f"secrets allowlist entry expired and no longer applied: {e}" for e in expired)),
        errors=tuple(inv.errors), stats=stats, suppressed_secrets=tuple(suppressed), run_id=run_id,
        runs_on=_runs_on(risk),
    )  # fmt: skip


def _runs_on(risk: RiskContext) -> dict[str, object]:
    if risk.exposure is None:
        why, note = risk.exposure_unknown
        return {"exposure": "open", "source": why, "date": "", "note": note, "default": True}
    e = risk.exposure
    return {"exposure": e.value, "source": e.source, "date": e.date, "note": e.note, "default": False}


def history_key(tags: Sequence[str], path: Path) -> str:
    """``image:<repository>`` (the first tag without its tag or digest), else ``image:<file name>``."""
    if tags:
        ref = tags[0].split("@", 1)[0]
        slash, colon = ref.rfind("/"), ref.rfind(":")
        return "image:" + (ref[:colon] if colon > slash else ref)
    name = path.name
    for suffix in (".tar.gz", ".tgz", ".tar"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return f"image:{name or 'image'}"


def _decide(req: ImageRequest, collection: Collection, assessed: tuple[list[Assessed], list[Notice]],
            source: AdvisorySource, settings: CheckSettings, notices: tuple[Notice, ...]
            ) -> tuple[DepsReport, str | None]:  # fmt: skip
    """The dependency gate's report; first-seen dates from the store and, unless told not to, the run recorded."""
    if not req.use_store:
        return build_report(collection, assessed, source, settings, lambda p, v: None, notices), None
    from mamori.gate.deps.history import open_store, read_known, record_run, recording
    from mamori.store.db import make_engine
    from mamori.store.url import existing_store

    project = settings.context.project
    if not req.record:
        url = existing_store(req.db)
        if url is None:
            return build_report(collection, assessed, source, settings, lambda p, v: None, notices), None
        engine = make_engine(url)
        try:
            known = read_known(engine, project)
        finally:
            engine.dispose()
        return build_report(collection, assessed, source, settings, known.first_seen, notices), None
    engine = open_store(req.db)
    try:
        with recording(engine, project) as (known, conn):
            report = build_report(collection, assessed, source, settings, known.first_seen, notices)
            run_id = record_run(conn, known, report, settings.now)
    finally:
        engine.dispose()
    return report, run_id
