"""Parallel replay: several processes read, one matches — with the result of one process, exactly.

Reading is most of a replay's cost (gunzip, JSON, and routing each record past the
detections' prefilters) and needs no state; matching needs the state (threshold windows,
hooks' memory, the ledger's offences and duplicates) and the order of the records. So:

* reader processes (forked once the detections are loaded) each take whole files, read
  them, and keep only the records :meth:`Matcher.wants` says yes to — those that can fire
  or change any state; the others (most of an archive) end there;
* the parent takes the files' results in the files' order and runs the kept records, in
  their order, through the one processor (matcher, windows, ledger, store), exactly as a
  single process would. Skipped records are counted, and the periodic commits and flushes
  fall after the same record numbers as in a single process.

Each file's kept texts go through a private spool file (in a directory the pool owns,
removed with it, on success or error): the parent maps it and copies out only the whole
records and the rare count-only record whose threshold is reached, so the ~all-count-only
texts are neither pickled, sent, nor unpickled. Malformed items travel with the records, in
their order. A file whose kept records cannot travel as JSON (nested deeper than orjson
writes) is read again by the parent itself.
Without ``fork`` (not Linux or macOS), or for fewer than two files, replay runs in one process.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import FrameType
from typing import Any

import orjson

from mamori.events.matcher import Matcher
from mamori.events.reader import Malformed, ReadStats, read_file, read_file_raw

AHEAD_PER_WORKER = 4
"""Files read ahead per reader process: enough to keep them busy, bounded memory in the parent."""

_JOB: tuple[Matcher, int, str] | None = None
"""What the readers inherit through fork: the matcher (for :meth:`Matcher.wants`), the size cap, the spool directory."""


class _Tape(ReadStats):
    """A reader's stats that also record its malformed items in order among the kept records."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__()
        self.items = items

    def bad(self, item: Malformed) -> None:
        self.items.append([None, item.source, item.where, item.reason])


Scanned = tuple[bytes, str]
"""A reader's result for one file: a JSON head, and the name of the spool file holding the kept
records' texts end to end (``""``: none kept). The parent unlinks the spool file."""


def scan(path: str) -> Scanned:
    """Read one file in a reader process.

    The head is ``[[files, oversize, records], items, ends]``, items in the file's order:
    ``[None, source, where, reason]`` a malformed item; ``[k, where, i]`` the k-th record,
    needed whole (``records[i]``); ``[k, where, i, eventID, eventTime, failed, counts]`` the
    k-th record, only counted toward thresholds (``records[i]`` is parsed only if one is
    reached); ``records[i]`` is the text ``ends[i - 1]:ends[i]`` of the spool file (``ends[-1]``
    being 0). An empty head: the records cannot travel as JSON (nested deeper than orjson
    writes); the parent reads the file itself.
    """
    assert _JOB is not None, "scan runs in a reader forked by readers()"
    matcher, max_bytes, spool = _JOB
    items: list[Any] = []
    blobs: list[bytes] = []
    stats = _Tape(items)
    try:
        for k, (where, rec, raw) in enumerate(read_file_raw(Path(path), stats, max_bytes=max_bytes), start=1):
            t = matcher.triage(rec)
            if t is False:
                continue
            blobs.append(orjson.dumps(rec) if raw is None else bytes(raw))  # its own text parses to the same record
            if t is True:
                items.append([k, where, len(blobs) - 1])
            else:
                items.append([k, where, len(blobs) - 1, rec["eventID"], rec.get("eventTime"), bool(rec.get("errorCode")), t])
        ends: list[int] = []
        end = 0
        for b in blobs:
            end += len(b)
            ends.append(end)
        head = orjson.dumps([[stats.files, stats.oversize, stats.records], items, ends])
    except orjson.JSONEncodeError:
        return b"", ""
    return head, _spool(spool, blobs) if blobs else ""


def _spool(spool: str, blobs: list[bytes]) -> str:
    """Write the texts end to end to a new private file in ``spool``; its name."""
    fd, name = tempfile.mkstemp(dir=spool)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(b"".join(blobs))
    except BaseException:
        os.unlink(name)
        raise
    return name


def available(workers: int, files: int) -> bool:
    return workers > 1 and files > 1 and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def readers(matcher: Matcher, workers: int, max_bytes: int) -> Iterator[Pool]:
    """A pool of ``workers`` reader processes forked now, sharing ``matcher`` (read-only) with the parent."""
    global _JOB
    spool = tempfile.mkdtemp(prefix="mamori-replay-")
    previous: Any = None
    try:
        _JOB = (matcher, max_bytes, spool)
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_reader_signals)
        try:
            if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                previous = signal.signal(signal.SIGTERM, _interrupted)  # so the spool directory is removed on SIGTERM too
            yield pool
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            _JOB = None
            pool.terminate()
            pool.join()
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _reader_signals() -> None:
    """A reader dies of SIGTERM as before (the pool stops its readers with it)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def scanned(pool: Pool, files: list[Path], workers: int) -> Iterator[tuple[Path, Scanned]]:
    """(file, its result) in the files' order, with a bounded number of files read ahead.

    The first files are handed to the readers now, not at the first ``next()``: what the
    caller does before taking the results (opening the store) overlaps their reading.
    """
    pending: deque[tuple[Path, AsyncResult[Scanned]]] = deque()
    todo = iter(files)
    for f in todo:
        pending.append((f, pool.apply_async(scan, (str(f),))))
        if len(pending) >= workers * AHEAD_PER_WORKER:
            break
    return _in_order(pool, pending, todo)


def _in_order(pool: Pool, pending: deque[tuple[Path, AsyncResult[Scanned]]], todo: Iterator[Path]) -> Iterator[tuple[Path, Scanned]]:
    while pending:
        f, res = pending.popleft()
        out = res.get()
        nxt = next(todo, None)
        if nxt is not None:
            pending.append((nxt, pool.apply_async(scan, (str(nxt),))))
        yield f, out


class Counter:
    """The single process's record counter, its commits every 1,000 records and flushes every ``flush_every``."""

    def __init__(self, tick: Callable[[], None], flush: Callable[[], Any], skip: Callable[[int], None], flush_every: int) -> None:
        self.n = 0
        self.skipped = 0
        self.tick, self.flush, self.skip, self.flush_every = tick, flush, skip, flush_every
        self.mark = min(1000, flush_every)  # the next record after which something is done

    def advance(self, to: int) -> None:
        """Records ``n+1 .. to`` were not wanted: counted, and the commits and flushes after them made."""
        n = self.n
        if to <= n:
            return
        self.skipped += to - n
        if to < self.mark:
            self.n = to
            return
        for m in sorted({m for step in (1000, self.flush_every) for m in range((n // step + 1) * step, to + 1, step)}):
            self.after(m)
        self.n = to

    def after(self, n: int) -> None:
        """What the single process does after record ``n``."""
        self.n = n
        if n < self.mark:
            return
        if n % 1000 == 0:
            self.tick()
        if n % self.flush_every == 0:
            self.skip(self.skipped)  # the counts are right whenever findings are written
            self.skipped = 0
            self.flush()
        self.mark = min((n // 1000 + 1) * 1000, (n // self.flush_every + 1) * self.flush_every)

    def finish(self) -> None:
        self.skip(self.skipped)
        self.skipped = 0


Process = Callable[[dict[str, Any], str, str], None]
ProcessCounts = Callable[[str, Any, bool, list[Any], Callable[[], dict[str, Any]], str, str], None]


def replay_scanned(
    results: Iterator[tuple[Path, Scanned]], stats: ReadStats, counter: Counter, process: Process, process_counts: ProcessCounts,
    max_bytes: int,
) -> None:  # fmt: skip
    """Run the readers' results in order, as one process would: ``process(record, source, where)``
    for a whole record, ``process_counts(eventID, eventTime, failed, counts, fetch, source, where)``
    for one only counted."""
    for f, (head, name) in results:
        src = str(f)
        if not head:
            for where, rec in read_file(f, stats, max_bytes=max_bytes):
                process(rec, src, where)
                counter.after(counter.n + 1)
            continue
        with _mapped(name) as text:
            _replay_file(src, head, text, stats, counter, process, process_counts)
    counter.finish()


@contextmanager
def _mapped(name: str) -> Iterator[mmap.mmap | bytes]:
    """The spool file ``name`` mapped read-only (unlinked at once: the mapping outlives the name)."""
    if not name:
        yield b""
        return
    try:
        with open(name, "rb") as fh:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    finally:
        os.unlink(name)
    try:
        yield mm
    finally:
        mm.close()


def _replay_file(
    src: str, head: bytes, text: mmap.mmap | bytes, stats: ReadStats, counter: Counter, process: Process, process_counts: ProcessCounts,
) -> None:  # fmt: skip
    """One file's items, in order: the whole records copied out of ``text``; a count-only one only if fetched."""
    (files, oversize, records), items, ends = orjson.loads(head)
    ends.append(0)  # ends[-1]: where the first text starts
    stats.files += files
    stats.oversize += oversize
    stats.records += records
    base = counter.n
    for item in items:
        if item[0] is None:
            stats.bad(Malformed(item[1], item[2], item[3]))
            continue
        k, where, i = item[0], item[1], item[2]
        n = base + k
        if n - 1 > counter.n:  # records skipped before this one
            counter.advance(n - 1)
        if len(item) == 3:
            process(orjson.loads(text[ends[i - 1] : ends[i]]), src, where)
        else:
            a, b = ends[i - 1], ends[i]
            process_counts(item[3], item[4], item[5], item[6], lambda a=a, b=b: orjson.loads(text[a:b]), src, where)  # type: ignore[misc]
        if n < counter.mark:  # Counter.after's own first test, without the call (most records)
            counter.n = n
        else:
            counter.after(n)
    counter.advance(base + records)
