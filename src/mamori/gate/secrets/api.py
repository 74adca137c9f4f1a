"""The three scans — working tree, staged changes, whole history — from settings to a ScanResult."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mamori.gate.secrets import files, git, history, staged, suppress
from mamori.gate.secrets.config import AllowEntry, SecretsConfig
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import (
    Commit,
    Detector,
    Match,
    ScanResult,
    SecretValue,
    ScanStats,
    SecretHit,
    fingerprint,
)
from mamori.gate.secrets.scanner import Scanner, ScanOptions

DEFAULT_MAX_FILE_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Settings:
    detectors: tuple[Detector, ...]
    exclude: tuple[str, ...] = ()
    allowlist: tuple[AllowEntry, ...] = ()
    baseline: frozenset[str] = frozenset()
    engine: str = "auto"
    options: ScanOptions = field(default_factory=ScanOptions)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    today: date = field(default_factory=date.today)

    @classmethod
    def from_config(
        cls,
        config: SecretsConfig,
        *,
        base_dir: Path,
        engine: str | None = None,
        baseline_path: Path | None = None,
        today: date | None = None,
    ) -> Settings:
        """Resolve a config: the baseline path is relative to ``base_dir`` (the config's folder)."""
        bl: set[str] = set()
        path = baseline_path
        if path is None and config.baseline:
            path = base_dir / config.baseline
        if path is None and (base_dir / files.BASELINE_NAME).is_file():
            path = base_dir / files.BASELINE_NAME
        if path is not None:
            if not path.is_file():
                raise SecretsConfigError("baseline file not found", source=str(path))
            bl = suppress.load_baseline(path)
        return cls(
            detectors=tuple(config.active_detectors()),
            exclude=tuple(config.exclude),
            allowlist=tuple(config.allowlist),
            baseline=frozenset(bl),
            engine=engine or config.engine or "auto",
            options=ScanOptions(max_line=config.max_line_length),
            today=today or date.today(),
        )


def _finding(m: Match, commit: Commit | None = None) -> SecretHit:
    return SecretHit(
        detector=m.detector.id,
        title=m.detector.title,
        severity=m.detector.severity,
        file=m.path,
        line=m.line,
        column=m.column,
        end_line=m.end_line,
        fingerprint=fingerprint(m.detector.id, m.path, m.secret.reveal()),
        secret=m.secret,
        commit=commit,
    )


def _finish(pairs: Iterable[tuple[Match, Commit | None]], settings: Settings, stats: ScanStats) -> ScanResult:
    findings: list[SecretHit] = []
    inline: dict[int, str] = {}
    for m, commit in pairs:
        if m.allow_reason is not None:
            inline[len(findings)] = m.allow_reason
        findings.append(_finding(m, commit))
    reported, suppressed, expired = suppress.partition(
        findings, inline, baseline=set(settings.baseline), allowlist=settings.allowlist, today=settings.today
    )
    return ScanResult(tuple(reported), tuple(suppressed), stats, tuple(expired))


def by_path(settings: Settings, path: str) -> list[Match]:
    """Findings for a file's name alone (a PKCS#12 key store is a secret whatever it holds)."""
    out: list[Match] = []
    for det in settings.detectors:
        if det.by_path and det.path is not None and det.path.search(path):
            out.append(Match(det, path, 1, 1, 1, SecretValue(path.encode("utf-8", "surrogateescape"))))
    return out


def scanner_for(settings: Settings) -> Scanner:
    return Scanner(settings.detectors, engine=settings.engine, options=settings.options)


def scan_paths(paths: Sequence[Path], settings: Settings, scanner: Scanner | None = None) -> ScanResult:
    """Scan files and directories in the working tree (.gitignore respected inside a repository)."""
    sc = scanner or scanner_for(settings)
    stats = ScanStats(engine=sc.engine)
    out: list[tuple[Match, Commit | None]] = []
    for root in paths:
        if not root.exists():
            raise SecretsConfigError("no such file or directory", source=str(root))
        for ref in files.iter_files(root, settings.exclude):
            if isinstance(ref, str):
                stats.skipped_excluded += 1
                continue
            out.extend((m, None) for m in by_path(settings, ref.display))
            try:
                size = ref.path.stat().st_size
                if size > settings.max_file_bytes:
                    stats.skipped_large += 1
                    continue
                res = sc.scan_stream(ref.display, files.read_chunks(ref.path))
            except OSError:
                stats.skipped_excluded += 1
                continue
            if res.binary:
                stats.skipped_binary += 1
                continue
            stats.files += 1
            stats.bytes += res.size
            if res.long_lines:
                stats.long_line_files.append(ref.display)
            out.extend((m, None) for m in res.matches)
    return _finish(out, settings, stats)


def scan_staged(repo: Path, settings: Settings, scanner: Scanner | None = None) -> ScanResult:
    """Scan the index: only findings on lines this commit adds or changes are reported."""
    top = git.require_toplevel(repo, "--staged")
    sc = scanner or scanner_for(settings)
    stats = ScanStats(engine=sc.engine)
    every = [f for f in staged.staged_files(top) if not files.excluded(f.path, settings.exclude)]
    out: list[tuple[Match, Commit | None]] = [(m, None) for f in every for m in by_path(settings, f.path)]
    todo = [f for f in every if not files.skipped_by_name(f.path)]
    by_sha: dict[str, list[staged.StagedFile]] = {}
    for f in todo:
        by_sha.setdefault(f.sha, []).append(f)
    with git.CatFile(top) as cat:
        for sha, size, chunks in cat.stream(list(by_sha)):
            for sf in by_sha[sha][:1]:
                res = sc.scan_stream(sf.path, chunks)
                if res.binary:
                    stats.skipped_binary += 1
                    continue
                stats.files += 1
                stats.bytes += size
                if res.long_lines:
                    stats.long_line_files.append(sf.path)
                out.extend((m, None) for m in res.matches if sf.touches(m.line, m.end_line))
            # the same content staged at other paths: scan again under each name (rare)
            for sf in by_sha[sha][1:]:
                data = git.run(top, "cat-file", "blob", sha)
                res = sc.scan_bytes(sf.path, data)
                out.extend((m, None) for m in res.matches if sf.touches(m.line, m.end_line))
    return _finish(out, settings, stats)


def scan_history(
    repo: Path, settings: Settings, since: str | None = None, scanner: Scanner | None = None
) -> ScanResult:
    """Scan every blob reachable from any ref (not from ``since``), each once; report introducing commits."""
    top = git.require_toplevel(repo, "--history")
    if since:
        history.verify_rev(top, since)
    sc = scanner or scanner_for(settings)
    stats = ScanStats(engine=sc.engine)
    counts: dict[str, int] = {}
    first: dict[str, tuple[Match, Commit | None]] = {}
    def wanted(b: history.NewBlob) -> bool:
        if files.excluded(b.path, settings.exclude):
            return False
        for m in by_path(settings, b.path):
            first.setdefault(fingerprint(m.detector.id, m.path, m.secret.reveal()), (m, b.commit))
        return not files.skipped_by_name(b.path)

    blobs = (b for b in history.iter_new_blobs(top, since, counts) if wanted(b))
    with git.CatFile(top) as cat:
        for batch in history.batched(blobs):
            meta = {b.sha: b for b in batch}
            for sha, size, chunks in cat.stream([b.sha for b in batch]):
                blob = meta[sha]
                if size > settings.max_file_bytes:
                    stats.skipped_large += 1
                    continue
                res = sc.scan_stream(blob.path, chunks)
                if res.binary:
                    stats.skipped_binary += 1
                    continue
                stats.bytes += size
                if res.long_lines:
                    stats.long_line_files.append(f"{blob.path}@{blob.commit.sha[:12]}")
                for m in res.matches:
                    fp = fingerprint(m.detector.id, m.path, m.secret.reveal())
                    first.setdefault(fp, (m, blob.commit))  # oldest commit wins
    stats.commits = counts.get("commits", 0)
    stats.blobs = counts.get("blobs", 0)
    stats.files = stats.blobs - stats.skipped_binary - stats.skipped_large
    return _finish(first.values(), settings, stats)
