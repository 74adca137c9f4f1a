"""The secrets gate as one call: a request in, the scan result and what it was run with out.

Resolves what the CLI used to: the repository root, the config file beside it, the baseline,
which scan (working tree, staged changes, history), and whether to verify AWS keys. Kept light
to import: a pre-commit hook loads this, the scanner and git, nothing else.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from mamori.gate.secrets import api, git, suppress
from mamori.gate.secrets.config import SecretsConfig, load_config
from mamori.gate.secrets.model import Detector, ScanResult


class Mode(StrEnum):
    PATHS = "paths"
    STAGED = "staged"
    HISTORY = "history"


@dataclass(frozen=True)
class SecretsRequest:
    paths: tuple[Path, ...] = ()  # for STAGED and HISTORY: at most one, the repository
    mode: Mode = Mode.PATHS
    since: str | None = None  # HISTORY only: skip commits reachable from this revision
    config_path: Path | None = None  # default: .mamori-secrets.yaml at the repository root or PATH
    baseline_path: Path | None = None  # default: .mamori-secrets-baseline.json if present
    ignore_baseline: bool = False  # report every finding (to write a new baseline)
    engine: str | None = None  # prefilter backend: auto, hyperscan, re2, re
    verify: bool = False  # check AWS key pairs with STS (sends them)
    endpoint_url: str | None = None
    region: str = "us-east-1"
    jobs: int | None = None  # worker processes for a large working tree (default: the CPUs)


@dataclass(frozen=True)
class Resolved:
    """The config the request resolves to (``mamori gate secrets --list-detectors`` shows its detectors)."""

    config: SecretsConfig
    config_file: Path | None
    base: Path

    def detectors(self) -> list[Detector]:
        return sorted(self.config.active_detectors(), key=lambda d: d.id)


@dataclass(frozen=True)
class SecretsOutcome:
    result: ScanResult
    mode: Mode
    detectors: tuple[Detector, ...]
    config_file: Path | None
    not_honoured: tuple[str, ...] = ()  # gitleaks rules / allowlists that could not be used, and why

    def baseline_document(self) -> tuple[str, int]:
        """A baseline of every current finding and every non-inline suppressed one, and how many."""
        keep = [s.finding for s in self.result.suppressed if s.by.value != "inline"]
        hits = [*self.result.findings, *keep]
        return suppress.baseline_document(hits), len(hits)


def resolve(req: SecretsRequest) -> Resolved:
    """Find the repository root (or the directory scanned) and load the config that applies there."""
    anchor = req.paths[0] if req.paths else Path(".")
    top = git.toplevel(anchor.resolve() if anchor.exists() else Path("."))
    base = top or (anchor.resolve() if anchor.is_dir() else Path(".").resolve())
    config, cfg_file = load_config(req.config_path, base)
    return Resolved(config, cfg_file, base)


def run_secrets_gate(req: SecretsRequest) -> SecretsOutcome:
    """Scan what the request names; errors are `SecretsConfigError`, `GitError` and other mamori errors."""
    resolved = resolve(req)
    settings = api.Settings.from_config(
        resolved.config,
        base_dir=resolved.config_file.parent if resolved.config_file else resolved.base,
        engine=req.engine,
        baseline_path=req.baseline_path,
    )
    if req.ignore_baseline:
        settings = dataclasses.replace(settings, baseline=frozenset())
    anchor = req.paths[0] if req.paths else Path(".")
    if req.mode is Mode.STAGED:
        result = api.scan_staged(anchor, settings)
    elif req.mode is Mode.HISTORY:
        result = api.scan_history(anchor, settings, req.since)
    else:
        result = api.scan_paths(list(req.paths) or [Path(".")], settings, jobs=req.jobs)
    if req.verify and result.findings:
        from mamori.gate.secrets import verify  # boto3: only when asked to verify

        factory = verify.sts_factory(req.endpoint_url, req.region)
        result = ScanResult(
            tuple(verify.verify_aws(result.findings, factory)),
            result.suppressed,
            result.stats,
            result.expired_allowlist,
        )
    return SecretsOutcome(result, req.mode, settings.detectors, resolved.config_file, settings.not_honoured)
