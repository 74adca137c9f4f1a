"""The source interface: batches of bytes to read records from, acknowledged when done.

A :class:`Batch` is one S3 object or one SQS message. The watcher reads its records,
processes and records them, and only then calls ``ack`` (mark the object processed,
delete the message), so a crash in between means the batch comes again — and the
ledger's claim per eventID makes the second pass respond to nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Batch:
    name: str
    parts: list[tuple[str, bytes]] = field(default_factory=list)
    """(where, bytes) pieces to read records from (an object, a message body, objects it names)."""
    ack: Callable[[int, int], None] = lambda records, malformed: None
    ack_malformed: bool = True
    """Acknowledge a batch that held nothing usable (S3: yes, it will not get better; SQS:
    no, leave the message to the queue's redrive policy / dead-letter queue)."""
    errors: list[str] = field(default_factory=list)


class Source(Protocol):
    name: str

    def poll(self) -> Iterator[Batch]:
        """The batches available now (may block briefly, e.g. SQS long polling)."""
        ...


class Checkpoints(Protocol):
    def processed_keys(self, source: str) -> set[str]: ...

    def mark_processed(self, source: str, key: str, records: int = 0, malformed: int = 0) -> None: ...
