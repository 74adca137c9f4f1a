"""Drive the processor: replay files offline, or watch a source poll after poll."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mamori.events.processor import Outcome, Processor
from mamori.events.reader import ReadStats, iter_records, read_paths
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


def replay(paths: Iterable[str | Path], processor: Processor, *, keep_outcomes: bool = True, flush_every: int = 50_000) -> RunReport:
    """Run every record under ``paths`` through the processor (files, dirs, archives)."""
    rep = RunReport()
    t0 = time.perf_counter()
    for n, (src, rec) in enumerate(read_paths(paths, rep.stats), start=1):
        out = processor.process(rec, src)
        if out and keep_outcomes:
            rep.outcomes.extend(out)
        if n % flush_every == 0:
            processor.flush()
    processor.flush()
    rep.seconds = time.perf_counter() - t0
    return rep


class Watcher:
    """Poll a source; process every batch; acknowledge it only once it is recorded."""

    def __init__(self, source: Source, processor: Processor) -> None:
        self.source = source
        self.processor = processor

    def poll_once(self) -> RunReport:
        rep = RunReport()
        t0 = time.perf_counter()
        for batch in self.source.poll():
            rep.batches += 1
            rep.errors.extend(batch.errors)
            before_rec, before_bad = rep.stats.records, rep.stats.malformed_count
            for where, data in batch.parts:
                for rec in iter_records(data, where, rep.stats):
                    rep.outcomes.extend(self.processor.process(rec, where))
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
