"""The ledger: claim an (event, detection) once, count offences, record every response.

``claim`` is atomic: the first delivery of an eventID for a detection records the
offence, its planned responses as ``pending`` and (on the store) its finding, in one
transaction, so a kill at any point loses nothing a rerun would not redo; any later delivery finds the claim and
is a duplicate (it only retries responses still ``pending`` after a crash, which are
idempotent). :class:`MemoryLedger` serves offline runs; :class:`mamori.events.store.EventStore`
is the same thing on the store (SQLite / PostgreSQL).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from mamori.events.matcher import Match
from mamori.events.responders.base import Intent, ResponseResult
from mamori.events.schema import ResponseMode
from mamori.model.finding import Finding

DEFAULT_WINDOW_HOURS = 24.0


@dataclass(frozen=True)
class Response:
    """One responder's part in handling one match: its intent, and what became of it."""

    responder: str
    action: str
    mode: ResponseMode
    intent: Intent
    result: ResponseResult = ResponseResult.PENDING
    error: str = ""
    output: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "responder": self.responder,
            "action": self.action,
            "mode": self.mode.value,
            "result": self.result.value,
            "error": self.error,
            "plan": self.intent.to_dict(),
            "output": self.output,
        }


@dataclass(frozen=True)
class Claim:
    duplicate: bool
    offence: int
    responses: list[Response]
    finding_recorded: bool = False
    """The ledger stored the match's finding in the claim's own transaction."""


FindingFor = Callable[[int], Finding]
"""``finding_for(offence)``: the finding a match raises."""


def counting_rule(match: Match) -> tuple[list[str], float]:
    """Which detections count as the same offence, and the window, for a match."""
    spec = match.detection.spec
    esc = spec.escalate
    if esc is None:
        ids, hours = [spec.attempt_of or spec.id], DEFAULT_WINDOW_HOURS
    else:
        ids, hours = (esc.counting or [spec.attempt_of or spec.id]), esc.within_hours
    # attempts (denied or failed calls) count toward the principal's repeat offences too
    return sorted({*ids, *(i + "_attempt" for i in ids if not i.endswith("_attempt"))}), hours


class Ledger(Protocol):
    def claim(self, match: Match, plan_for: Callable[[int], list[Response]], finding_for: FindingFor | None = None) -> Claim: ...

    def finish(self, match: Match, response: Response) -> None: ...

    def batched(self, every: int = 500) -> contextlib.AbstractContextManager[Callable[[], None]]:
        """A scope whose claims may share transactions (replays); yields ``tick()`` to call now and then."""
        ...


@dataclass
class _Offence:
    event_id: str
    detection: str
    principal: str
    at: datetime
    failed: bool


class MemoryLedger:
    """An in-memory ledger (replay without a store, tests)."""

    def __init__(self) -> None:
        self._offences: list[_Offence] = []
        self._claims: dict[tuple[str, str], dict[str, Response]] = {}
        self._numbers: dict[tuple[str, str], int] = {}

    def claim(self, match: Match, plan_for: Callable[[int], list[Response]], finding_for: FindingFor | None = None) -> Claim:
        """Claim in memory; ``finding_for`` is not stored here (the caller batches findings)."""
        key = (match.event_id, match.detection.id)
        if key in self._claims:
            return Claim(True, self._numbers[key], list(self._claims[key].values()))
        offence = self.prior(match) + 1
        responses = plan_for(offence)
        self._claims[key] = {r.responder: r for r in responses}
        self._numbers[key] = offence
        self._offences.append(_Offence(match.event_id, match.detection.id, match.principal.arn, match.at, match.failed))
        return Claim(False, offence, responses)

    def prior(self, match: Match) -> int:
        ids, hours = counting_rule(match)
        lo = match.at - timedelta(hours=hours)
        wanted = set(ids)
        return sum(
            1
            for o in self._offences
            if o.principal == match.principal.arn and o.detection in wanted and lo <= o.at <= match.at
            and o.event_id != match.event_id
        )  # fmt: skip

    @contextlib.contextmanager
    def batched(self, every: int = 500) -> Iterator[Callable[[], None]]:
        """Nothing to batch in memory."""
        yield lambda: None

    def finish(self, match: Match, response: Response) -> None:
        self._claims[(match.event_id, match.detection.id)][response.responder] = response

    def responses(self) -> Iterable[Response]:
        for rs in self._claims.values():
            yield from rs.values()
