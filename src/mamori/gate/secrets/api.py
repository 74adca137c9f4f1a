"""The three scans — working tree, staged changes, whole history — from settings to a ScanResult."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NoReturn

from mamori.gate.secrets import files, git, history, staged, suppress
from mamori.gate.secrets.config import AllowEntry, SecretsConfig
from mamori.gate.secrets.errors import SecretsConfigError
from mamori.gate.secrets.model import (
    Commit,
    Detector,
    DetectorId,
    Match,
    ScanResult,
    ScanStats,
    SecretHit,
    SecretValue,
    fingerprint,
)
from mamori.gate.secrets.scanner import AllowFn, Scanner, ScanOptions

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
    allow: AllowFn | None = None  # gitleaks allowlists (regexes, stopwords, paths, commits)
    skip_path: Callable[[str], bool] | None = None  # gitleaks global path allowlists: not scanned
    not_honoured: tuple[str, ...] = ()  # gitleaks rules and allowlists that could not be used, and why

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
        glc = config.gitleaks
        return cls(
            allow=glc.allow_fn() if glc else None,
            skip_path=glc.path_allowed if glc and glc.global_allow else None,
            not_honoured=glc.skipped if glc else (),
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


def path_detectors(settings: Settings) -> tuple[Detector, ...]:
    return tuple(d for d in settings.detectors if d.by_path)


def by_path(dets: Sequence[Detector], path: str) -> list[Match]:
    """Findings for a file's name alone (a PKCS#12 key store is a secret whatever it holds)."""
    out: list[Match] = []
    for det in dets:
        if det.path is not None and det.path.search(path):
            out.append(Match(det, path, 1, 1, 1, SecretValue(path.encode("utf-8", "surrogateescape"))))
    return out


def scanner_for(settings: Settings) -> Scanner:
    return Scanner(settings.detectors, engine=settings.engine, options=settings.options, allow=settings.allow)


def _skipped(settings: Settings, path: str) -> bool:
    return files.excluded(path, settings.exclude) or (settings.skip_path is not None and settings.skip_path(path))


#: A tree smaller than this is scanned in-process: starting workers would cost more than it saves.
PARALLEL_MIN_BYTES = 8 << 20
#: From this size on a working-tree scan uses the loosened-regex pass (Scanner.use_regex_filter):
#: loading its cached database costs ~10 ms, which a pre-commit run on a few files does not recover.
REGEX_FILTER_MIN_BYTES = 4 << 20
#: Compiling that database when it is not cached costs ~1 s of CPU once (then it is cached); it
#: saves ~7 ms of CPU per MB of real code and more on keyword-dense trees: with a cold cache (a
#: fresh CI container without ~/.cache/mamori) only a tree of this size or more compiles it.
REGEX_COMPILE_MIN_BYTES = 32 << 20
_O_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_Found = tuple[str, str, int, int, int, bytes, "str | None"]  # detector, path, line, col, end, secret, allow
_Result = tuple[int, str, int, bool, list[_Found]]  # file index, status, size, long lines?, findings


def _scan_file(sc: Scanner, ref: files.FileRef, max_bytes: int) -> tuple[str, int, bool, list[Match]]:
    """("ok" | "large" | "binary" | "unreadable", size, long lines?, matches) for one file."""
    try:
        # os.open/os.read: no buffered file object per file (~25 us each, 4,000 files in 50 MB)
        fd = os.open(ref.path, _O_READ)
        try:
            size = os.fstat(fd).st_size
            if size > max_bytes:
                return "large", size, False, []
            if size < files.READ_SIZE:  # most files: one read, as read_chunks would give it
                data = os.read(fd, size + 1)  # a regular file reads short only at its end
                if len(data) > size:  # it grew since fstat: the rest too, as a buffered read() would
                    data = files.read_rest(fd, data)
                res = sc.scan_stream(ref.display, [data])
            else:
                res = sc.scan_stream(ref.display, files.read_chunks(ref.path))
        finally:
            os.close(fd)
    except OSError:
        return "unreadable", 0, False, []
    if res.binary:
        return "binary", res.size, False, []
    return "ok", res.size, res.long_lines, res.matches


def _worker(
    sc: Scanner, refs: Sequence[files.FileRef], max_bytes: int, tickets: int, out_fd: int, close: tuple[int, ...]
) -> NoReturn:  # pragma: no cover - runs in a forked worker
    """Take batch numbers from ``tickets`` until it is empty, scan them, send the pickled results on ``out_fd``."""
    import pickle
    import struct

    code = 1
    try:
        for fd in close:
            os.close(fd)
        out: list[_Result] = []
        while len(ticket := os.read(tickets, 4)) == 4:
            (k,) = struct.unpack("=I", ticket)
            out.extend(_worker_files(sc, refs, k * BATCH_FILES, min(len(refs), (k + 1) * BATCH_FILES), max_bytes))
        data = memoryview(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(out_fd, data) :]
        code = 0
    finally:
        os._exit(code)


def _worker_files(sc: Scanner, refs: Sequence[files.FileRef], lo: int, hi: int, max_bytes: int) -> list[_Result]:
    out: list[_Result] = []
    for idx in range(lo, hi):
        ref = refs[idx]
        status, size, long_lines, matches = _scan_file(sc, ref, max_bytes)
        found: list[_Found] = [
            (str(m.detector.id), m.path, m.line, m.column, m.end_line, m.secret.reveal(), m.allow_reason)
            for m in matches
        ]
        out.append((idx, status, size, long_lines, found))
    return out


def default_jobs() -> int:
    """``MAMORI_SECRETS_JOBS``, else the number of usable CPUs (at most 8)."""
    env = os.environ.get("MAMORI_SECRETS_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(8, n))


class _Listing:
    """The files to scan, as they are listed: by-name findings and skipped files counted on the way."""

    def __init__(self, paths: Sequence[Path], settings: Settings, stats: ScanStats, out: list[tuple[Match, Commit | None]]):
        self.paths, self.settings, self.stats, self.out = paths, settings, stats, out
        self.named = path_detectors(settings)
        self.done = False

    def __iter__(self) -> Iterator[files.FileRef]:
        skip = self.settings.skip_path
        for root in self.paths:
            for ref in files.iter_files(root, self.settings.exclude):
                if isinstance(ref, str) or (skip is not None and skip(ref.display)):
                    self.stats.skipped_excluded += 1
                    continue
                if self.named:
                    self.out.extend((m, None) for m in by_path(self.named, ref.display))
                yield ref
        self.done = True


def _size(ref: files.FileRef) -> int:
    try:
        return os.stat(ref.path).st_size
    except OSError:
        return 0


def scan_paths(
    paths: Sequence[Path], settings: Settings, scanner: Scanner | None = None, jobs: int | None = None
) -> ScanResult:
    """Scan files and directories in the working tree (.gitignore respected inside a repository).

    A large tree is split across ``jobs`` worker processes (forked, so the compiled prefilter and
    patterns are inherited, not rebuilt): they start as soon as the first files listed show the
    tree is large enough, and take batches of files while the listing goes on. Findings come back
    in the same order as a serial scan.
    """
    sc = scanner or scanner_for(settings)
    stats = ScanStats(engine=sc.engine)
    out: list[tuple[Match, Commit | None]] = []
    for root in paths:
        if not root.exists():
            raise SecretsConfigError("no such file or directory", source=str(root))
    listing = _Listing(paths, settings, stats, out)
    walk = iter(listing)
    jobs = default_jobs() if jobs is None else jobs
    sc.remember_verdicts()  # one scan's memory (see Scanner._accept)
    # List (and size) files only until the tree is known to be large enough for the regex filter
    # and the workers, which must both be ready before forking; the rest is listed while scanning.
    head: list[files.FileRef] = []
    seen = 0
    need = max(REGEX_FILTER_MIN_BYTES, PARALLEL_MIN_BYTES if jobs > 1 else 0)

    def take(enough: int, count: int = 0) -> None:
        nonlocal seen
        while seen < enough or len(head) < count:
            ref = next(walk, None)
            if ref is None:
                return
            head.append(ref)
            seen += _size(ref)

    take(need, 2 * jobs if jobs > 1 else 0)
    # compiled only for a tree that repays it (a cold cache)
    if seen >= REGEX_FILTER_MIN_BYTES and not sc.use_regex_filter(compile_if_missing=False):
        take(REGEX_COMPILE_MIN_BYTES)
        sc.use_regex_filter(compile_if_missing=seen >= REGEX_COMPILE_MIN_BYTES)
    refs: list[files.FileRef]
    results: list[tuple[str, int, bool, list[Match]]]
    refs = [*head, *walk]
    if jobs > 1 and len(head) >= 2 * jobs and seen >= PARALLEL_MIN_BYTES:
        results = _scan_parallel(sc, refs, settings, jobs)
    else:
        results = [_scan_file(sc, ref, settings.max_file_bytes) for ref in refs]
    assert listing.done
    for ref, (status, size, long_lines, matches) in zip(refs, results, strict=True):
        if status in ("large", "unreadable"):
            if status == "large":
                stats.skipped_large += 1
            else:
                stats.skipped_excluded += 1
            continue
        if status == "binary":
            stats.skipped_binary += 1
            continue
        stats.files += 1
        stats.bytes += size
        if long_lines:
            stats.long_line_files.append(ref.display)
        out.extend((m, None) for m in matches)
    return _finish(out, settings, stats)


#: Files per batch a worker takes: small enough to balance the two ends of a tree, large enough
#: that taking one (a 4-byte read from a pipe) costs nothing next to scanning it.
BATCH_FILES = 32


def _scan_parallel(
    sc: Scanner, refs: Sequence[files.FileRef], settings: Settings, jobs: int
) -> list[tuple[str, int, bool, list[Match]]]:
    """Fork ``jobs`` workers that take batches of ``refs`` until none is left; results in ``refs`` order.

    The parent is one of the ``jobs``: it forks ``jobs - 1`` workers and takes batches as they do,
    so one process less pays for a fork's copied pages, for compiling the Python regexes it meets
    and for its own memory of generic verdicts (the patterns and verdicts the parent already has
    stay its own), and its results need no pickling. The workers inherit the scanner and the file
    list (fork, after ``gc.freeze()``: the collector leaves the inherited objects alone, fewer pages
    are copied). A batch is a 4-byte number read from a shared pipe (reads of whole numbers from one
    pipe never interleave), so whoever finishes early takes more. Each worker sends its results back
    once, pickled, on its own pipe, after the batches have run out (the parent reads them when its
    own last batch is done). A file whose worker did not report (it crashed, was killed) is scanned
    in the parent.
    """
    import contextlib
    import gc
    import pickle
    import select
    import selectors
    import signal
    import struct

    max_bytes = settings.max_file_bytes
    n_batches = (len(refs) + BATCH_FILES - 1) // BATCH_FILES
    results: list[tuple[str, int, bool, list[Match]] | None] = [None] * len(refs)
    by_id = {d.id: d for d in sc.detectors}
    t_read, t_write = os.pipe()
    pids: dict[int, int] = {}  # result pipe -> worker pid
    try:
        gc.freeze()
        try:
            for _ in range(jobs - 1):
                r_read, r_write = os.pipe()
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the worker (coverage does not follow a fork)
                    _worker(sc, refs, max_bytes, t_read, r_write, close=(t_write, r_read, *pids))
                os.close(r_write)
                pids[r_read] = pid
        finally:
            gc.unfreeze()

        def take_one() -> bool:  # the parent's share: one batch
            ticket = os.read(t_read, 4)
            if len(ticket) != 4:
                return False
            (k,) = struct.unpack("=I", ticket)
            for idx in range(k * BATCH_FILES, min(len(refs), (k + 1) * BATCH_FILES)):
                results[idx] = _scan_file(sc, refs[idx], max_bytes)
            return True

        tickets = b"".join(struct.pack("=I", k) for k in range(n_batches))
        os.set_blocking(t_write, False)  # a full pipe (a huge tree, or dead workers): take a batch, retry
        step = select.PIPE_BUF & ~3  # whole writes of at most PIPE_BUF: all or nothing, never half a number
        at = 0
        while at < len(tickets):
            try:
                os.write(t_write, tickets[at : at + step])
                at += step
            except BlockingIOError:
                take_one()
        os.close(t_write)
        t_write = -1
        while take_one():
            pass
        os.close(t_read)
        t_read = -1
        chunks: dict[int, list[bytes]] = {fd: [] for fd in pids}
        with selectors.DefaultSelector() as sel:
            for fd in pids:
                sel.register(fd, selectors.EVENT_READ)
            while sel.get_map():
                for key, _ in sel.select():
                    piece = os.read(key.fd, 1 << 20)
                    if piece:
                        chunks[key.fd].append(piece)
                    else:
                        sel.unregister(key.fd)
        for fd, pid in list(pids.items()):
            os.close(fd)
            del pids[fd]
            _, status = os.waitpid(pid, 0)
            if status != 0:
                continue  # its files are scanned below
            for idx, state, size, long_lines, found in pickle.loads(b"".join(chunks[fd])):
                matches = [
                    Match(by_id[DetectorId(d)], p, ln, col, end, SecretValue(raw), allow)
                    for d, p, ln, col, end, raw, allow in found
                ]
                results[idx] = (state, size, long_lines, matches)
    finally:
        for fd in (t_read, t_write):
            if fd >= 0:
                os.close(fd)
        for fd, pid in pids.items():  # interrupted: stop the workers
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            os.close(fd)
    return [r if r is not None else _scan_file(sc, refs[i], max_bytes) for i, r in enumerate(results)]


def scan_staged(repo: Path, settings: Settings, scanner: Scanner | None = None) -> ScanResult:
    """Scan the index: only findings on lines this commit adds or changes are reported."""
    top = git.require_toplevel(repo, "--staged")
    sc = scanner or scanner_for(settings)
    stats = ScanStats(engine=sc.engine)
    every = [f for f in staged.staged_files(top) if not _skipped(settings, f.path)]
    named = path_detectors(settings)
    out: list[tuple[Match, Commit | None]] = [(m, None) for f in every for m in by_path(named, f.path)]
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
    sc.use_regex_filter()
    sc.remember_verdicts()
    stats = ScanStats(engine=sc.engine)
    counts: dict[str, int] = {}
    first: dict[str, tuple[Match, Commit | None]] = {}
    named = path_detectors(settings)

    def wanted(b: history.NewBlob) -> bool:
        if _skipped(settings, b.path):
            return False
        for m in by_path(named, b.path):
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
                    if m.allow_reason is None and settings.allow is not None:
                        why = settings.allow(m.detector.id, m.path, m.secret.reveal(), b"", b"", blob.commit.sha)
                        if why is not None:
                            m = dataclasses.replace(m, allow_reason=why)
                    fp = fingerprint(m.detector.id, m.path, m.secret.reveal())
                    first.setdefault(fp, (m, blob.commit))  # oldest commit wins
    stats.commits = counts.get("commits", 0)
    stats.blobs = counts.get("blobs", 0)
    stats.files = stats.blobs - stats.skipped_binary - stats.skipped_large
    return _finish(first.values(), settings, stats)
