"""Drive the processor: replay files offline, or watch a source poll after poll.

One bad record never stops a run: a detection that fails on a record (a hook meeting a
shape it did not expect) is reported as a hook error for that record, and a record the
processor cannot handle as a record error, each with its file and place; the rest goes
on. Only the store failing (:class:`mamori.errors.StoreError`) stops a run: nothing can be
recorded then, and a rerun redoes what was not committed.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mamori.errors import MamoriError
from mamori.events import parallel
from mamori.events.processor import Outcome, Processor
from mamori.events.reader import (
    DEFAULT_MAX_BYTES,
    Malformed,
    ReadStats,
    iter_files,
    iter_located,
    read_located,
)
from mamori.events.sources.base import Source


@dataclass
class RunReport:
    """What one replay or one poll did."""

    stats: ReadStats = field(default_factory=ReadStats)
    outcomes: list[Outcome] = field(default_factory=list)
    batches: int = 0
    acked: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def process_one(
    processor: Processor, rec: dict[str, Any], source: str, where: str, stats: ReadStats,
    run: Callable[[], list[Outcome]] | None = None,
) -> list[Outcome]:  # fmt: skip
    """One record through the processor (or ``run()``, which processes it); its failures are reported
    into ``stats``, never raised (except the store's and the project's own errors, which stop the run)."""
    try:
        out = run() if run is not None else processor.process(rec, source)
    except MamoriError:
        raise
    except Exception as exc:  # one record the processor cannot handle: reported, the run goes on
        stats.record_errors += 1
        stats.bad(Malformed(source, where, f"could not process the record: {type(exc).__name__}: {str(exc)[:200]}"))
        out = []
    if not processor.matcher.errors:
        return out
    for detection, why in processor.matcher.drain_errors():
        stats.hook_errors += 1
        stats.bad(Malformed(source, where, f"detection {detection} failed on this record: {why}"))
    return out


def _nothing() -> None:
    pass


def replay(
    paths: Iterable[str | Path], processor: Processor, *, keep_outcomes: bool = True, flush_every: int = 50_000,
    max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 1, started: Callable[[], None] = _nothing,
) -> RunReport:  # fmt: skip
    """Run every record under ``paths`` through the processor (files, dirs, archives).

    Without acting, claims share store transactions (:meth:`Ledger.batched`); each commit
    holds whole detections with their findings, so a kill and a rerun lose nothing. With
    ``workers`` > 1, that many processes read the files (:mod:`mamori.events.parallel`);
    the outcome is the same as with one, record for record. ``started()`` is called once the
    readers have their first files, before the first record is matched: the CLI opens the
    store there, and the processor imports what responding needs, so that overlaps the reading.
    """
    rep = RunReport()
    t0 = time.perf_counter()
    files = list(iter_files(paths))

    def process(rec: dict[str, Any], src: str, where: str) -> None:
        out = process_one(processor, rec, src, where, rep.stats)
        if out and keep_outcomes:
            rep.outcomes.extend(out)

    def process_counts(eid: str, at: Any, failed: bool, counts: list[Any], fetch: Callable[[], Any], src: str, where: str) -> None:
        run = lambda: processor.process_counts(eid, at, failed, counts, fetch, src)  # noqa: E731
        out = process_one(processor, {}, src, where, rep.stats, run)
        if out and keep_outcomes:
            rep.outcomes.extend(out)

    with _no_cycle_collection():
        if parallel.available(workers, len(files)):
            n = min(workers, len(files))
            with parallel.readers(processor.matcher, n, max_bytes) as pool:
                results = parallel.scanned(pool, files, n)
                started()
                processor.warm()
                with _batched(processor) as tick:
                    counter = parallel.Counter(tick, processor.flush, processor.skip, flush_every)
                    parallel.replay_scanned(results, rep.stats, counter, process, process_counts, max_bytes)
        else:
            started()
            with _batched(processor) as tick:
                for n, (src, where, rec) in enumerate(read_located(files, rep.stats, max_bytes=max_bytes), start=1):
                    process(rec, src, where)
                    if n % 1000 == 0:
                        tick()
                    if n % flush_every == 0:
                        processor.flush()
        processor.flush()
    rep.seconds = time.perf_counter() - t0
    return rep


def _batched(processor: Processor) -> AbstractContextManager[Callable[[], None]]:
    return nullcontext(_nothing) if processor.allow_act else processor.ledger.batched()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection during a replay (restored after).

    A replay holds a file's parsed records (hundreds of thousands of objects) at a time: the
    collector would walk them again and again, for nothing (records are trees, freed by
    reference counting), which cost about as much as parsing them. What was loaded before
    (modules, detections) is moved out of the collector's sight, so forked readers do not
    copy its pages either.
    """
    was = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was:
            gc.enable()


class Watcher:
    """Poll a source; process every batch; acknowledge it only once it is recorded."""

    def __init__(self, source: Source, processor: Processor, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.source = source
        self.processor = processor
        self.max_bytes = max_bytes

    def poll_once(self) -> RunReport:
        rep = RunReport()
        t0 = time.perf_counter()
        for batch in self.source.poll():
            rep.batches += 1
            rep.errors.extend(batch.errors)
            before_rec, before_bad = rep.stats.records, rep.stats.malformed_count
            for where, data in batch.parts:
                for place, rec in iter_located(data, where, rep.stats, max_bytes=self.max_bytes):
                    rep.outcomes.extend(process_one(self.processor, rec, where, place, rep.stats))
            self.processor.flush()  # findings recorded before the batch is acknowledged
            recs, bad = rep.stats.records - before_rec, rep.stats.malformed_count - before_bad
            if batch.errors:
                continue
            if recs == 0 and bad > 0 and not batch.ack_malformed:
                rep.errors.append(f"{batch.name}: nothing usable; left for the queue's redrive policy")
                continue
            batch.ack(recs, bad)
            rep.acked += 1
        rep.stats.files = rep.batches
        rep.seconds = time.perf_counter() - t0
        return rep

    def run(
        self,
        *,
        interval: float = 30.0,
        once: bool = False,
        max_polls: int | None = None,
        on_poll: Callable[[RunReport], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> int:
        """Poll until stopped (KeyboardInterrupt), ``once``, or ``max_polls``; returns polls made."""
        polls = 0
        while True:
            started = time.monotonic()
            rep = self.poll_once()
            polls += 1
            if on_poll:
                on_poll(rep)
            if once or (max_polls is not None and polls >= max_polls):
                return polls
            sleep(max(0.0, interval - (time.monotonic() - started)))
