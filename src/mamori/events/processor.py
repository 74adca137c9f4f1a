"""Detect, respond, record: what happens to each record.

For every match: claim (eventID, detection) in the ledger with the responders' intents
and the finding it raises (``source="events"``) — on the store, in one transaction, so a
kill between them is impossible and a rerun redoes exactly what was not committed — then
act on the ones whose mode is ``act`` (through ``mamori.remediate``: a stored plan,
applied, verified and audited), notify, and record each result. Without a store ledger
(offline), findings are batched and written by :meth:`Processor.flush`.

Mode of a responder that changes something, first that is set: ``modes[<detection>]``,
``modes[<responder>]``, ``default_mode`` (config), the detection's ``mode``, else
``dry-run``. A failed call (``errorCode``) gets no such responder unless the detection
says ``failed_calls: respond``. Replays (``allow_act=False``) never act.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mamori.config.guardrails import GuardrailsConfig
from mamori.events.config import EventsConfig
from mamori.events.ledger import Ledger, MemoryLedger, Response
from mamori.events.matcher import Count, Match, Matcher
from mamori.events.responders import RESPONDERS, Responder, ResponseResult
from mamori.events.responders.notify import notification_for, send
from mamori.events.schema import FailedCalls, ResponderRef, ResponseMode
from mamori.events.scrub import fit
from mamori.model.finding import Finding, FindingStatus
from mamori.notify import Notifier

if TYPE_CHECKING:  # acting needs them (SQLAlchemy, boto3); matching and planning do not
    from mamori.findings import Store
    from mamori.remediate.clients import Clients


@dataclass(frozen=True)
class Outcome:
    match: Match
    offence: int
    duplicate: bool
    responses: list[Response]

    def to_dict(self) -> dict[str, Any]:
        m, d = self.match, self.match.detection.spec
        return {
            "detection": d.id,
            "title": d.title,
            "severity": d.severity.value,
            "mitre": list(d.mitre),
            "event_ids": list(m.event_ids),
            "event_name": m.record.get("eventName"),
            "event_time": m.record.get("eventTime"),
            "account": m.account,
            "region": m.region,
            "principal": m.principal.to_dict(),
            "resource": m.resource,
            "failed_call": m.failed,
            "offence": self.offence,
            "duplicate": self.duplicate,
            "finding_id": m.finding_id,
            "source": m.source,
            "responses": [r.to_dict() for r in self.responses],
        } | ({"sigma": d.sigma} if d.sigma else {})


@dataclass
class Counts:
    events: int = 0
    matches: int = 0
    duplicates: int = 0
    applied: int = 0
    planned: int = 0
    failed: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class Processor:
    matcher: Matcher
    config: EventsConfig = field(default_factory=EventsConfig)
    ledger: Ledger = field(default_factory=MemoryLedger)
    store: Store | None = None
    clients: Clients | None = None
    """Clients for the accounts events come from; with the store, what acting needs."""
    notifiers: Sequence[Notifier] = ()
    allow_act: bool = True
    guardrails: GuardrailsConfig = field(default_factory=GuardrailsConfig)
    """Verification attempts and delay of the remediation changes."""
    actor: str = "events"
    persist_windows: bool = False
    """Save the threshold windows at each flush (``watch``: a restart goes on counting)."""
    sleep: Callable[[float], None] = time.sleep
    counts: Counts = field(default_factory=Counts)
    _findings: dict[str, Finding] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.matcher.track_dirty = self.persist_windows

    def process(self, record: Mapping[str, Any], source: str = "") -> list[Outcome]:
        self.counts.events += 1
        matches = self.matcher.match(record, source)
        return [self.handle(m) for m in matches] if matches else []

    def process_counts(
        self, event_id: str, event_time: Any, failed: bool, counts: list[Count], fetch: Callable[[], Mapping[str, Any]], source: str = "",
    ) -> list[Outcome]:  # fmt: skip
        """:meth:`process` for a record a parallel reader reduced to its threshold counts (:meth:`Matcher.triage`)."""
        self.counts.events += 1
        matches = self.matcher.match_counts(event_id, event_time, failed, counts, fetch, source)
        return [self.handle(m) for m in matches] if matches else []

    def warm(self) -> None:
        """Import now what the first match would (the remediation actions, when a responder
        changes something): a replay calls it while its readers read, off the matching path."""
        for d in self.matcher.detections:
            spec = d.spec
            refs = [*spec.respond, *(spec.escalate.respond if spec.escalate is not None else ())]
            if any(RESPONDERS.get(r.responder).mutates for r in refs if r.responder in RESPONDERS):
                from mamori.remediate.action import load_actions

                load_actions()
                return

    def skip(self, n: int) -> None:
        """Count ``n`` records no detection could fire on or count (parallel replay's readers left them)."""
        self.counts.events += n
        self.matcher.skip(n)

    # -- one match ---------------------------------------------------------------

    def mode_for(self, match: Match, ref: ResponderRef, responder: Responder) -> ResponseMode:
        if not responder.mutates:
            return ResponseMode.NOTIFY
        cfg = self.config
        mode = cfg.modes.get(match.detection.id) or cfg.modes.get(responder.name) or cfg.default_mode or ref.mode or ResponseMode.DRY_RUN
        if mode is ResponseMode.ACT and not self.allow_act:
            return ResponseMode.DRY_RUN
        return mode

    def plan(self, match: Match, offence: int) -> list[Response]:
        spec = match.detection.spec
        refs = list(spec.respond)
        if spec.escalate is not None and offence >= spec.escalate.after and spec.attempt_of is None:
            refs += spec.escalate.respond
        out: list[Response] = []
        for ref in refs:
            responder = RESPONDERS.get(ref.responder)
            params = {**self.config.responders.get(responder.name, {}), **ref.params}
            intent = responder.decide(match, params)
            mode = self.mode_for(match, ref, responder)
            result, why = ResponseResult.PENDING, ""
            if not intent.feasible:
                result, why = ResponseResult.SKIPPED, intent.reason
            elif responder.mutates and match.failed and spec.failed_calls is not FailedCalls.RESPOND:
                result, why = ResponseResult.SKIPPED, f"the call failed ({match.record.get('errorCode')}): nothing to undo"
            elif responder.mutates and mode is ResponseMode.NOTIFY:
                result, why = ResponseResult.SKIPPED, "mode notify: people are told, nothing is changed"
            elif responder.mutates and mode is ResponseMode.DRY_RUN:
                result = ResponseResult.PLANNED
            out.append(Response(responder.name, intent.summary, mode, intent, result, why))
        out.sort(key=lambda r: not RESPONDERS.get(r.responder).mutates)  # act first, then tell
        return out

    def handle(self, match: Match) -> Outcome:
        self.counts.matches += 1
        finding_for = (lambda n: self._finding(match, n)) if self.store is not None else None
        claim = self.ledger.claim(match, lambda n: self.plan(match, n), finding_for)
        if claim.duplicate:
            self.counts.duplicates += 1
        responses: list[Response] = []
        for r in claim.responses:
            if r.result is ResponseResult.PENDING:
                lines = [f"{x.responder}: {x.result.value} — {x.action}{' (' + x.error + ')' if x.error else ''}" for x in responses]
                r = self._execute(match, r, claim.offence, lines)
                self.ledger.finish(match, r)
            responses.append(r)
            self.counts.planned += r.result is ResponseResult.PLANNED
            self.counts.applied += r.result is ResponseResult.APPLIED
            self.counts.failed += r.result is ResponseResult.FAILED
        if not claim.duplicate and not claim.finding_recorded and self.store is not None:
            f = self._finding(match, claim.offence)
            prev = self._findings.get(f.id)
            if prev is not None:  # one finding per batch: the earliest first, the latest last
                newer = f if f.last_seen >= prev.last_seen else prev
                f = replace(newer, first_seen=min(f.first_seen, prev.first_seen), last_seen=max(f.last_seen, prev.last_seen))
            self._findings[f.id] = f
        return Outcome(match, claim.offence, claim.duplicate, responses)

    def _execute(self, match: Match, r: Response, offence: int, lines: list[str]) -> Response:
        if not RESPONDERS.get(r.responder).mutates:
            if not self.notifiers:
                return replace(r, result=ResponseResult.SKIPPED, error="no notification channel")
            errors = send(self.notifiers, notification_for(match, offence, lines))
            if errors:
                return replace(r, result=ResponseResult.FAILED, error="; ".join(errors))
            return replace(r, result=ResponseResult.SENT, output={"sent": True})
        if self.clients is None:
            return replace(r, result=ResponseResult.FAILED, error="no AWS clients were given to act with")
        if self.store is None:
            return replace(r, result=ResponseResult.FAILED, error="acting needs a store: every change is planned, applied and audited there")
        from mamori.events.responders.act import Remediator

        done = Remediator(self.store.engine, self.clients, self.guardrails, self.actor, self.sleep).act(match, r.intent)
        return replace(r, result=done.result, error=done.error, output=_jsonable(done.output))

    # -- findings ----------------------------------------------------------------

    def _finding(self, match: Match, offence: int) -> Finding:
        spec = match.detection.spec
        return Finding(
            id=match.finding_id, rule_id=spec.id, title=spec.title, severity=spec.severity, status=FindingStatus.NEW,
            resource_type="aws.cloudtrail.event", resource_id=match.resource or match.principal.arn,
            resource_arn=match.principal.arn, account=fit(match.account, 40), region=fit(match.region, 40),
            evidence={
                "principal": match.principal.to_dict(), "event_ids": list(match.event_ids[-50:]), "offence": offence,
                "mitre": list(spec.mitre), "failed_call": match.failed, "event": match.evidence,
            } | ({"sigma": spec.sigma} if spec.sigma else {}),
            first_seen=match.at, last_seen=match.at, source="events",
        )  # fmt: skip

    def restore_windows(self) -> int:
        """Load the threshold windows a previous run saved (the ledger must be a store's)."""
        load = getattr(self.ledger, "load_windows", None)
        return self.matcher.restore_windows(load()) if load is not None else 0

    def save_windows(self) -> None:
        """Save the threshold windows changed since the last save (on a store's ledger)."""
        save = getattr(self.ledger, "save_windows", None)
        if save is None or not self.persist_windows or not self.matcher.dirty:
            self.matcher.dirty.clear()
            return
        keys, self.matcher.dirty = self.matcher.dirty, set()
        still_open = self.matcher.open_windows()
        save(self.matcher.window_state(keys) + [(k[0], _key_json(k), []) for k in keys if k not in still_open])

    def flush(self) -> dict[str, int]:
        """Write the findings raised since the last flush (one batched upsert), and the changed windows."""
        self.save_windows()
        if not self._findings or self.store is None:
            return {}
        batch, self._findings = list(self._findings.values()), {}
        return self.store.upsert_findings(batch, actor="events", now=datetime.now(UTC))


def _key_json(k: tuple[str, tuple[Any, ...]]) -> str:
    import orjson

    return orjson.dumps(list(k[1]), default=str).decode()


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v
